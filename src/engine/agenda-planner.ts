/**
 * What a command may do to a session's plan when its request reaches the session (in arrival
 * order, at a step boundary, in the worker). Commands declare `plan(planner, request)` in their
 * own file (src/command-core/command-contract.ts); the planner keeps the agenda's rules in one place:
 *
 * - **Next** means after the images being looked at (and the opening, a stop notice): a moderator line said
 *   next goes there; a persona asked directly answers there, after the personas asked before it.
 * - **Automatic** steps are the rounds (their round notices and turns) and the pause after them;
 *   `/pause`, `/stop`, `/vote` and `/switch` drop them, `/resume` plans new ones.
 * - **Settings** (`paused`, `muted`) change through `settle`: later requests of the same batch see
 *   them at once (`meta`), and the step that applied them commits them.
 */
import type { Panel, Persona } from '../panels/panel-schema.ts';
import type { SessionMeta, Step, StepKindName } from '../session/session-types.ts';
import { findPersona, speakingPersonas } from './speakers.ts';

/** The session settings a request may change. */
export type SessionSettings = Partial<Pick<SessionMeta, 'paused' | 'muted'>>;

export interface AgendaPlanner {
  readonly panel: Panel;
  /** The session as this request finds it (settings changed by earlier requests of the batch included). */
  readonly meta: SessionMeta;
  /** A poll is open now. */
  readonly pollOpen: boolean;
  /** The most automatic rounds one request may plan (MAX_ROUNDS). */
  readonly maxRounds: number;
  /** A step of this kind is planned. */
  has(kind: StepKindName): boolean;
  /** Drops the remaining automatic discussion (planned rounds and the pause): a request takes over. */
  dropAutomatic(): void;
  append(...steps: Step[]): void;
  /** Runs these next, before everything planned (a setting that should hold from the next step on). */
  prepend(...steps: Step[]): void;
  /** Drops everything planned and runs these instead. */
  replaceAll(...steps: Step[]): void;
  /** A moderator line in the thread, after what is planned. */
  notice(text: string): void;
  /** A moderator line said next (after the images being looked at, before the turns). */
  noticeNext(text: string): void;
  /** The persona answers next: its reply turn after the images and the replies asked before it (one per persona). */
  askNext(personaId: string): void;
  /** The personas that speak (the panel minus the muted), in panel order. */
  speakers(): Persona[];
  /** A persona by id or by a name people use ("Bayar", "李志强"). */
  persona(name: string): Persona | undefined;
  /** Changes the session's settings from the next step on. */
  settle(changes: SessionSettings): void;
  /** Drops every planned step in which the persona would speak or vote. */
  dropPersona(personaId: string): void;
  /** Puts the persona back into the planned rounds that have not begun, at its place in the panel. */
  restorePersona(personaId: string): void;
  /** Appends `rounds` automatic rounds after the current one (each opened by its round notice), then the pause. */
  appendRounds(rounds: number): void;
  /** A command's usage as typed where the session lives (`/resume [rounds]`, `@TableRound resume`). */
  usage(name: string, args?: string): string;
}

export interface PlannerState {
  panel: Panel;
  meta: SessionMeta;
  pollOpen: boolean;
  /** MAX_ROUNDS (default 5). */
  maxRounds?: number;
  /** Renders a command's usage for this session's platform (default: `/name args`). */
  usage?(name: string, args?: string): string;
}

const isAutomatic = (step: Step) => (step.kind === 'turn' && step.reason === 'round') || step.kind === 'pause' || step.kind === 'round-start';

/** Steps a persona speaks or votes in. */
const personaOf = (step: Step): string | undefined =>
  step.kind === 'turn' || step.kind === 'introduction' || step.kind === 'image-story' || step.kind === 'keywords' || step.kind === 'persona-ballot' ? step.personaId : undefined;

/** Where "next" is: past the opening post, a stop notice and the images being looked at. */
export function frontIndex(steps: readonly Step[]): number {
  const index = steps.findIndex((step) => step.kind !== 'opening' && step.kind !== 'stopped' && step.kind !== 'image-describe' && step.kind !== 'image-story');
  return index === -1 ? steps.length : index;
}

/** One automatic round: its notice, then a turn for each speaking persona in panel order. */
export function roundSteps(personas: readonly Pick<Persona, 'id'>[], round: number): Step[] {
  return [{ kind: 'round-start', round }, ...personas.map((persona): Step => ({ kind: 'turn', personaId: persona.id, round, reason: 'round' }))];
}

/** A planner over a mutable agenda (used by applyInbox); `changes` collects the settings it settled. */
export function plannerOver(state: PlannerState, agenda: { steps: Step[] }): AgendaPlanner & { readonly changes: SessionSettings } {
  let meta = state.meta;
  const changes: SessionSettings = {};
  const planner: AgendaPlanner & { readonly changes: SessionSettings } = {
    panel: state.panel,
    get meta() {
      return meta;
    },
    pollOpen: state.pollOpen,
    maxRounds: state.maxRounds ?? 5,
    changes,
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
    noticeNext: (text) => {
      agenda.steps.splice(frontIndex(agenda.steps), 0, { kind: 'notice', text });
    },
    askNext: (personaId) => {
      if (agenda.steps.some((step) => step.kind === 'turn' && step.reason === 'reply' && step.personaId === personaId)) return;
      let at = frontIndex(agenda.steps);
      while (at < agenda.steps.length && isReplyOrNotice(agenda.steps[at]!)) at++;
      agenda.steps.splice(at, 0, { kind: 'turn', personaId, round: meta.round, reason: 'reply' });
    },
    speakers: () => speakingPersonas(state.panel, meta),
    persona: (name) => state.panel.personas.find((persona) => persona.id === name) ?? findPersona(state.panel.personas, name),
    settle: (settings) => {
      Object.assign(changes, settings);
      meta = { ...meta, ...settings };
    },
    dropPersona: (personaId) => {
      agenda.steps = agenda.steps.filter((step) => personaOf(step) !== personaId);
    },
    restorePersona: (personaId) => {
      const place = state.panel.personas.findIndex((persona) => persona.id === personaId);
      if (place === -1) return;
      const rounds = agenda.steps.filter((step) => step.kind === 'round-start').map((step) => step.round);
      for (const round of rounds) {
        const start = agenda.steps.findIndex((step) => step.kind === 'round-start' && step.round === round);
        let at = start + 1;
        let present = false;
        for (let index = start + 1; index < agenda.steps.length; index++) {
          const step = agenda.steps[index]!;
          if (step.kind !== 'turn' || step.reason !== 'round' || step.round !== round) break;
          if (step.personaId === personaId) present = true;
          if (state.panel.personas.findIndex((persona) => persona.id === step.personaId) < place) at = index + 1;
        }
        if (!present) agenda.steps.splice(at, 0, { kind: 'turn', personaId, round, reason: 'round' });
      }
    },
    appendRounds: (rounds) => {
      const speakers = speakingPersonas(state.panel, meta);
      for (let round = 1; round <= rounds; round++) agenda.steps.push(...roundSteps(speakers, meta.round + round));
      if (rounds > 0) agenda.steps.push({ kind: 'pause' });
    },
    usage: (name, args) => state.usage?.(name, args) ?? `\`/${name}${args ? ` ${args}` : ''}\``,
  };
  return planner;
}

/** Steps that stay ahead of a newly asked reply: replies asked before it, and the notices said next. */
function isReplyOrNotice(step: Step): boolean {
  return (step.kind === 'turn' && step.reason === 'reply') || step.kind === 'notice';
}
