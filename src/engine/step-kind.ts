/**
 * Step kinds are a registry, not a switch: each kind declares, in one place, how it runs, whether
 * it calls a model, the stage it puts the session in, and how a notice names it. The step machine
 * (src/pipeline/step-machine.ts) only looks kinds up. Adding a kind is one file: its payload type
 * (an augmentation of `StepPayloads`) and its `defineStep(…)`, registered with the engine.
 */
import type { Panel } from '../panels/panel-schema.ts';
import type { SessionMeta, Step, StepKindName, StepOf } from '../session/session-types.ts';
import type { StepContext, StepOutcome } from './step-context.ts';

export interface StepKind<Kind extends StepKindName> {
  kind: Kind;
  /** Runs the step: at most one model call, posts through the step outbox. */
  run(context: StepContext, step: StepOf<Kind>): Promise<StepOutcome>;
  /** Calls a model: dropped, with a notice, once the session has spent its token budget. */
  usesModel: boolean;
  /** Builds a discussion prompt: the rolling summary is folded before it when the window is full. */
  buildsPrompt?: boolean;
  /** A persona speaking (counted in `tableround_persona_turns_total`). */
  isPersonaTurn?: boolean;
  /** The stage (and round) the session shows while it runs and after it commits. */
  stage?(step: StepOf<Kind>, meta: SessionMeta): Partial<SessionMeta>;
  /** How a notice names it, in the session's language (src/i18n `step.*`): "Ana's turn", "the vote result". */
  describe(step: StepOf<Kind>, panel: Panel, language: string | undefined): string;
}

/** A kind as the registry holds it (its payload type erased). */
export interface RegisteredStepKind {
  kind: string;
  run(context: StepContext, step: Step): Promise<StepOutcome>;
  usesModel: boolean;
  buildsPrompt?: boolean;
  isPersonaTurn?: boolean;
  stage?(step: Step, meta: SessionMeta): Partial<SessionMeta>;
  describe(step: Step, panel: Panel, language: string | undefined): string;
}

/**
 * Declares a step kind. The one cast of the registry lives here: the machine only ever hands a
 * kind the steps whose `kind` field names it.
 */
export function defineStep<Kind extends StepKindName>(definition: StepKind<Kind>): RegisteredStepKind {
  return definition as unknown as RegisteredStepKind;
}

export type StepKinds = ReadonlyMap<string, RegisteredStepKind>;

export function stepKindRegistry(kinds: readonly RegisteredStepKind[]): StepKinds {
  const registry = new Map<string, RegisteredStepKind>();
  for (const kind of kinds) {
    if (registry.has(kind.kind)) throw new Error(`step kind "${kind.kind}" is registered twice`);
    registry.set(kind.kind, kind);
  }
  return registry;
}

/** "Ana's turn": a persona's display name from the panel, or its id. */
export function personaName(panel: Panel, personaId: string): string {
  return panel.personas.find((persona) => persona.id === personaId)?.displayName ?? personaId;
}
