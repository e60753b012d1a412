/**
 * Rule 3 of the exactly-once rule (pipeline/step-outbox.ts) for one platform message: a re-run
 * reuses a recorded ref, looks up an intent left without one, and otherwise sends — the intent
 * written before the platform call, the ref after it.
 */
import type { ChatAdapter, PostLookup, Speaker } from '../adapter/chat-adapter.ts';
import { wasNotSent } from '../adapter/not-sent.ts';
import { TableRoundError } from '../errors.ts';
import { catalogText } from '../i18n/translate.ts';
import type { Logger } from '../logging/logger.ts';
import { lookupClockSlackMs, type OutboxPart, type StepOutbox } from './step-outbox.ts';

/** What one message is, for `sendOnce`. */
export interface OutgoingMessage {
  sessionId: string;
  speaker: Speaker;
  /** Rendered text of the message (empty for files alone). */
  text: string;
  fileNames?: string[];
  stream?: 'native' | 'edit';
  /** The message is the adapter's poll (its text is the adapter's own). */
  poll?: boolean;
}

/**
 * Sends one platform message exactly once under (key, part), following rule 3. `send` makes the
 * platform call and returns the message's ref. Returns the ref and whether it came from an
 * earlier attempt.
 */
export async function sendOnce(
  outbox: StepOutbox,
  adapter: ChatAdapter,
  key: string,
  part: number,
  message: OutgoingMessage,
  send: () => Promise<string>,
  logger?: Logger,
): Promise<{ ref: string; earlier: OutboxPart | undefined }> {
  const earlier = outbox.part(key, part);
  if (earlier?.ref) return { ref: earlier.ref, earlier };
  // A runner cut off (lock lost, past its deadline) sends nothing more: its successor owns the step.
  outbox.superseded?.throwIfAborted();
  if (earlier?.pendingSince !== undefined) {
    const found = await lookUp(outbox, adapter, message.sessionId, earlier, message.speaker);
    if (found) {
      logger?.info({ sessionId: message.sessionId, key, part }, 'outbox: found the message an interrupted attempt had sent; not sending it again');
      const recorded: OutboxPart = { ref: found, ...(earlier.stream ? { stream: earlier.stream, ...(earlier.text ? { text: earlier.text } : {}), ...(earlier.personaId ? { personaId: earlier.personaId } : {}) } : {}) };
      await outbox.record(key, part, recorded);
      return { ref: found, earlier: recorded };
    }
  }
  const personaId = message.stream && message.speaker.kind === 'persona' ? { personaId: message.speaker.persona.id } : {};
  await outbox.intend(key, part, {
    text: message.text,
    ...(message.fileNames?.length ? { fileNames: message.fileNames } : {}),
    ...(message.stream ? { stream: message.stream } : {}),
    ...(message.poll ? { poll: true } : {}),
    ...personaId,
  });
  outbox.superseded?.throwIfAborted();
  const ref = await send().catch(async (error: unknown) => {
    // Certainly not sent (it failed before the platform call): no look-up in a re-run.
    if (wasNotSent(error)) await outbox.withdraw(key, part).catch(() => undefined);
    throw error instanceof TableRoundError ? error : new TableRoundError('platform_failed', `sending a message failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error, text: catalogText('platform.postRefused') });
  });
  await outbox.record(key, part, { ref, ...(message.stream ? { stream: message.stream, text: message.text, ...personaId } : {}) });
  return { ref, earlier: undefined };
}

/** Rule 3, third case: asks the platform whether the message of an intent without ref exists. */
export async function lookUp(outbox: StepOutbox, adapter: ChatAdapter, sessionId: string, earlier: OutboxPart, speaker: Speaker): Promise<string | undefined> {
  if (!adapter.findPost || earlier.pendingSince === undefined) return undefined;
  const lookup: PostLookup = {
    speaker,
    since: earlier.pendingSince - lookupClockSlackMs,
    exclude: outbox.refs(),
    ...(earlier.text ? { text: earlier.text } : {}),
    ...(earlier.fileNames ? { fileNames: earlier.fileNames } : {}),
    ...(earlier.poll ? { poll: true } : {}),
    ...(earlier.stream ? { stream: earlier.stream } : {}),
  };
  return adapter.findPost(sessionId, lookup);
}
