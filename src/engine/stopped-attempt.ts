/**
 * A re-run of a step whose inbox holds a `/stop` (pipeline/stop-signals.ts): an earlier attempt
 * of the step ran — it was stopped, or its worker died — and did not commit. Before the step
 * runs what the stop planned, what that attempt left in the thread is finished, never posted
 * again (pipeline/step-outbox.ts):
 *
 * - a streamed message whose answer had been saved whole is finished with that answer (the
 *   stream's own `finish`, which writes only what is missing);
 * - any other streamed message is finished as it stood, "(stopped)": with the text recorded when
 *   the stop began (`finishedAs`, written again: platform writes are idempotent), else with the
 *   text the outbox knows it showed (its first post — a message that had grown since shrinks back
 *   to it, so the thread and the transcript still agree).
 *
 * Returns the transcript entries for what those messages show. Best effort: a platform write that
 * fails is logged and the step goes on (the message stays as it was).
 */
import type { Speaker } from '../adapter/chat-adapter.ts';
import { t } from '../i18n/translate.ts';
import { markedText, OutboxStream } from '../outbound/outbox-stream.ts';
import type { TranscriptEntry } from '../session/session-types.ts';
import { entry, personaById, type StepContext } from './step-context.ts';

export async function finishStoppedAttempt(context: StepContext): Promise<TranscriptEntry[]> {
  const { outbox, adapter, sessionId, logger } = context;
  const language = context.meta.language;
  const entries: TranscriptEntry[] = [];
  for (const { key, part } of outbox.streams()) {
    const persona = part.personaId ? personaById(context, part.personaId) : undefined;
    const speaker: Speaker | undefined = persona ? { kind: 'persona', persona: await context.deps.identityOf(persona) } : undefined;
    const saved = outbox.payload(key);
    try {
      if (saved !== undefined && part.finishedAs === undefined && speaker) {
        const stream = new OutboxStream({ outbox, adapter, sessionId, speaker, key, logger });
        await stream.open();
        await stream.finish(saved);
        if (persona) entries.push(entry(context, { kind: 'persona', speakerId: persona.id, speakerName: persona.displayName, text: saved }));
        continue;
      }
      const shown = part.text ?? '';
      const finishedAs = part.finishedAs ?? markedText(shown, t(language, 'stop.marker'), adapter.messageLimit);
      await outbox.record(key, 0, { ...part, finishedAs });
      const native = part.stream === 'native' ? adapter.streaming?.native : undefined;
      const outcome = native ? await native.stop(sessionId, part.ref, finishedAs) : 'needs-edit';
      if (native) await outbox.record(key, 0, { ...part, finishedAs, stopped: true });
      if (outcome === 'needs-edit' && speaker) await adapter.edit?.({ sessionId, speaker, ref: part.ref, text: adapter.render(finishedAs), budget: 'wait' });
      if (persona && shown) entries.push(entry(context, { kind: 'persona', speakerId: persona.id, speakerName: persona.displayName, text: t(language, 'step.stopped', { text: shown }) }));
    } catch (error) {
      logger.warn({ err: error, key }, 'could not finish the message a stopped attempt left');
    }
  }
  return entries;
}
