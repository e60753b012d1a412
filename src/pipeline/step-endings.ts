/**
 * How a step ends when it cannot end as planned (used by step-machine.ts): stopped by a person,
 * skipped after failing for good, or — its panel no longer installed — the session ended. Each
 * says so in the thread in one short, true line, and the transcript keeps what the thread showed.
 */
import type { Logger } from '../logging/logger.ts';
import type { Step, TranscriptEntry } from '../session/session-types.ts';
import type { StepSnapshot } from '../store/session-store.ts';
import { asTableRoundError } from '../errors.ts';
import { describeForPerson } from '../engine/describe-error.ts';
import { entry, moderator, postOnce, type EngineDependencies, type StepContext, type StepOutcome } from '../engine/step-context.ts';
import type { RegisteredStepKind } from '../engine/step-kind.ts';
import { t } from '../i18n/translate.ts';
import { StepSupersededError, type StepOutbox } from './step-outbox.ts';
import { platformOfSession } from '../session/session-id.ts';

/** A stopped step records what its persona had shown, marked as stopped, in the step's language. */
export function stoppedOutcome(context: StepContext | undefined, language: string | undefined): StepOutcome {
  if (!context?.interrupted) return {};
  const { persona, text } = context.interrupted;
  return { transcript: [entry(context, { kind: 'persona', speakerId: persona.id, speakerName: persona.displayName, text: t(context.meta.language ?? language, 'step.stopped', { text }) })] };
}

/** The step that failed for good, and where it ran. */
export interface SkippedStep {
  sessionId: string;
  outbox: StepOutbox;
  step: Step;
  kind: RegisteredStepKind | undefined;
  panel: StepContext['panel'];
  context: StepContext | undefined;
  logger: Logger;
}

/**
 * The step failed for good: one short, true line in the thread (best effort), and what was
 * visible of an interrupted reply goes into the transcript, marked, so the record matches the
 * thread, in the session's `language`. The session goes on with the next step.
 */
export async function skipStep(deps: EngineDependencies, skipped: SkippedStep, error: unknown, language: string | undefined): Promise<StepOutcome> {
  const { sessionId, outbox, step, kind, panel, context, logger } = skipped;
  const coded = asTableRoundError(error);
  logger.error({ err: coded, step: step.kind }, 'step failed for good; skipping it');
  deps.metrics?.stepsSkipped.inc({ kind: step.kind });
  const text = t(language, 'step.skipped', { reason: describeForPerson(coded, language), step: kind?.describe(step, panel, language) ?? step.kind });
  try {
    const target = context ?? { outbox, adapter: deps.adapterFor(platformOfSession(sessionId)), sessionId, logger };
    // A stream an earlier attempt (in a process that died) left open is stopped as it stands.
    for (const { key, part } of outbox.openNativeStreams()) {
      await target.adapter.streaming?.native?.stop(sessionId, part.ref);
      await outbox.record(key, 0, { ...part, stopped: true });
    }
    await postOnce(target, 'failure', moderator, text);
  } catch (postError) {
    if (postError instanceof StepSupersededError) throw postError;
    logger.error({ err: postError }, 'could not post the failure notice');
  }
  const transcript: TranscriptEntry[] = [];
  if (context?.interrupted) {
    const { persona, text: shown } = context.interrupted;
    transcript.push(entry(context, { kind: 'persona', speakerId: persona.id, speakerName: persona.displayName, text: t(language, 'step.interrupted', { text: shown }) }));
  }
  return { transcript };
}

/** A session whose panel is no longer installed cannot go on: it is ended, with a line saying why. */
export async function endWithoutPanel(deps: EngineDependencies, snapshot: StepSnapshot, outbox: StepOutbox, logger: Logger): Promise<'stale' | 'skipped'> {
  const meta = snapshot.meta!;
  logger.error({ panelId: meta.panelId }, 'session uses a panel that is not installed; ending it');
  try {
    const adapter = deps.adapterFor(platformOfSession(meta.sessionId));
    await postOnce({ outbox, adapter, sessionId: meta.sessionId, logger }, 'no-panel', moderator, t(meta.language, 'session.panelMissing', { panel: meta.panelId }));
  } catch (error) {
    if (error instanceof StepSupersededError) return 'stale';
    logger.error({ err: error }, 'could not post the missing-panel notice');
  }
  await deps.store.commit(meta.sessionId, meta.seq, { meta: { agenda: [], status: 'ended', stage: 'ended' }, inboxConsumed: snapshot.inbox.length });
  return 'skipped';
}
