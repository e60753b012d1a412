/**
 * What a command may do to a session's plan when its request reaches the session (in arrival
 * order, at a step boundary, in the worker). Commands declare `plan(planner, request)` in their
 * own file (src/commands/command-contract.ts); the planner keeps the agenda's rules in one place.
 */
import type { Panel } from '../panels/panel-schema.ts';
import type { SessionMeta, Step, StepKindName } from '../session/session-types.ts';

export interface AgendaPlanner {
  readonly panel: Panel;
  readonly meta: SessionMeta;
  /** A poll is open now. */
  readonly pollOpen: boolean;
  /** A step of this kind is planned. */
  has(kind: StepKindName): boolean;
  /** Drops the remaining automatic discussion (planned rounds and the pause): a request takes over. */
  dropAutomatic(): void;
  append(...steps: Step[]): void;
  /** Runs these next, before everything planned (a setting that should hold from the next step on). */
  prepend(...steps: Step[]): void;
  /** Drops everything planned and runs these instead. */
  replaceAll(...steps: Step[]): void;
  /** A moderator line in the thread. */
  notice(text: string): void;
}

const isAutomatic = (step: Step) => (step.kind === 'turn' && step.reason === 'round') || step.kind === 'pause';

/** A planner over a mutable agenda (used by applyInbox). */
export function plannerOver(state: { panel: Panel; meta: SessionMeta; pollOpen: boolean }, agenda: { steps: Step[] }): AgendaPlanner {
  return {
    panel: state.panel,
    meta: state.meta,
    pollOpen: state.pollOpen,
    has: (kind) => agenda.steps.some((step) => step.kind === kind),
    dropAutomatic: () => {
      agenda.steps = agenda.steps.filter((step) => !isAutomatic(step));
    },
    append: (...steps) => {
      agenda.steps.push(...steps);
    },
    prepend: (...steps) => {
      agenda.steps.unshift(...steps);
    },
    replaceAll: (...steps) => {
      agenda.steps = [...steps];
    },
    notice: (text) => {
      agenda.steps.push({ kind: 'notice', text });
    },
  };
}
