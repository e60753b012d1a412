/**
 * The per-phase breakdown of persona turns, from the rig's phase marks (sessions run one at a
 * time, so a session's marks are its steps in order). A turn's cycle runs from the previous
 * step's commit to its own, and its phases add up to it exactly:
 *   enqueue  previous commit → the next step's job added (the pending index, the queue add)
 *   hop      → the job starts in the worker (BullMQ: finish the previous job, fetch this one)
 *   snapshot → the session read in one round trip
 *   context  → the model called (outbox claim, plan, prompt built)
 *   model    → the model answered (0 ms model: the call's own bookkeeping)
 *   post     → the commit begins (posts, outbox records)
 *   commit   → committed
 */
import type { EngineRig, PhaseMark, PhaseMarks } from './engine-rig.ts';
import { describeTrips, roundTrips, type RoundTrip, type RoundTripRecorder, type SentCommand } from './round-trip-recorder.ts';
import { commonest } from './bench-stats.ts';

export const turnPhases = ['enqueue', 'hop', 'snapshot', 'context', 'model', 'post', 'commit'] as const;
export type TurnPhase = (typeof turnPhases)[number];

interface StepMoments {
  sessionId: string;
  stage: string | undefined;
  at: Partial<Record<PhaseMark, number>>;
}

export interface TurnCycle {
  sessionId: string;
  /** The cycle: previous step's commit end → this one's. */
  from: number;
  to: number;
  phases: Record<TurnPhase, { from: number; to: number }>;
}

function stepsOf(marks: PhaseMarks['marks']): StepMoments[] {
  const bySession = new Map<string, StepMoments[]>();
  for (const mark of marks) {
    const steps = bySession.get(mark.sessionId) ?? [];
    bySession.set(mark.sessionId, steps);
    if (mark.mark === 'job-start' || steps.length === 0) steps.push({ sessionId: mark.sessionId, stage: undefined, at: {} });
    const step = steps[steps.length - 1]!;
    // The first of each moment counts (a step commits once; its model is called once).
    step.at[mark.mark] ??= mark.at;
    if (mark.mark === 'commit-end') step.stage = mark.stage;
  }
  return [...bySession.values()].flat();
}

/** The discussion turns (a step committing stage `discussion` right after another step of its session). */
export function turnCycles(marks: PhaseMarks['marks'], stage = 'discussion'): TurnCycle[] {
  const steps = stepsOf(marks);
  const cycles: TurnCycle[] = [];
  for (let index = 1; index < steps.length; index += 1) {
    const step = steps[index]!;
    const previous = steps[index - 1]!;
    if (step.sessionId !== previous.sessionId || step.stage !== stage) continue;
    const p = previous.at;
    const a = step.at;
    const moments = [p['commit-end'], p['enqueue-end'], a['job-start'], a['snapshot-end'], a['model-start'], a['model-end'], a['commit-start'], a['commit-end']];
    if (moments.some((moment) => moment === undefined)) continue;
    const [prevCommit, enqueued, started, snapshot, modelStart, modelEnd, commitStart, committed] = moments as number[];
    cycles.push({
      sessionId: step.sessionId,
      from: prevCommit!,
      to: committed!,
      phases: {
        enqueue: { from: prevCommit!, to: enqueued! },
        hop: { from: enqueued!, to: started! },
        snapshot: { from: started!, to: snapshot! },
        context: { from: snapshot!, to: modelStart! },
        model: { from: modelStart!, to: modelEnd! },
        post: { from: modelEnd!, to: commitStart! },
        commit: { from: commitStart!, to: committed! },
      },
    });
  }
  return cycles;
}

/** The commands of one phase window (sent within it). */
export function commandsIn(commands: readonly SentCommand[], window: { from: number; to: number }): SentCommand[] {
  return commands.filter((command) => command.sentAt >= window.from && command.sentAt <= window.to);
}

export interface TurnShape {
  /** Round trips of each phase of the commonest discussion turn. */
  byPhase: Record<TurnPhase, RoundTrip[]>;
  /** What the floor replays: every phase's round trips but the enqueue's (the floor's own add is that). */
  replayed: RoundTrip[];
  turnsWithThisShape: number;
  tracedTurns: number;
}

/**
 * Runs one session of `rounds` rounds alone (nothing else may run on the rig meanwhile) with its
 * main connection's commands recorded, and returns the round-trip shape of its commonest
 * discussion turn. `recorder` wraps rig.redis (install it once).
 */
export async function traceTurnShape(rig: EngineRig, recorder: RoundTripRecorder, sessionIndex: number, rounds: number): Promise<TurnShape | undefined> {
  recorder.clear();
  recorder.recording = true;
  rig.phases.recording = true;
  const marksFrom = rig.phases.marks.length;
  try {
    await rig.startSession(sessionIndex, { rounds });
    await rig.drained(60_000);
  } finally {
    recorder.recording = false;
    rig.phases.recording = false;
  }
  const turns = turnCycles(rig.phases.marks.slice(marksFrom));
  const shapes = turns.map((turn) => {
    const byPhase = Object.fromEntries(turnPhases.map((phase) => [phase, roundTrips(commandsIn(recorder.sent, turn.phases[phase]))])) as Record<TurnPhase, RoundTrip[]>;
    return { byPhase, replayed: turnPhases.filter((phase) => phase !== 'enqueue').flatMap((phase) => byPhase[phase]) };
  });
  const found = commonest(shapes, (shape) => describeTrips(shape.replayed));
  return found && { ...found.value, turnsWithThisShape: found.occurrences, tracedTurns: turns.length };
}
