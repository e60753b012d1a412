/**
 * Posting a whole text (and files) as one speaker, exactly once per step and key: the text is
 * split at the adapter's limit, each part rendered and sent through the step outbox, one
 * platform message at a time (see pipeline/step-outbox.ts for the rule).
 *
 * Part numbers under a key: text parts 0…n-1; on platforms that send files separately, the files
 * are part n. A re-run sends only the parts the outbox does not hold.
 */
import type { ChatAdapter, OutboundFile, Speaker } from '../adapter/chat-adapter.ts';
import type { Logger } from '../logging/logger.ts';
import { sendOnce, type StepOutbox } from '../pipeline/step-outbox.ts';
import { splitMessage } from './split-message.ts';

export interface DeliveryTarget {
  outbox: StepOutbox;
  adapter: ChatAdapter;
  sessionId: string;
  logger?: Logger;
}

export interface Post {
  key: string;
  speaker: Speaker;
  text: string;
  files?: OutboundFile[];
  /** First part number to use (a stream that already holds part 0 delivers the rest from 1). */
  firstPart?: number;
}

/** Sends every part the outbox does not hold yet; returns the refs of all parts, in order. */
export async function deliverPost(target: DeliveryTarget, post: Post): Promise<string[]> {
  const { outbox, adapter, sessionId, logger } = target;
  const parts = splitMessage(post.text, adapter.messageLimit);
  const files = post.files ?? [];
  const separateFiles = files.length > 0 && adapter.sendFiles !== undefined;
  if (parts.length === 0 && files.length > 0 && !separateFiles) parts.push('');
  const first = post.firstPart ?? 0;
  const refs: string[] = [];
  for (const [index, part] of parts.entries()) {
    if (index < first) continue;
    const attached = !separateFiles && index === parts.length - 1 ? files : [];
    const { ref } = await sendOnce(
      outbox,
      adapter,
      post.key,
      index,
      { sessionId, speaker: post.speaker, text: part, fileNames: attached.map((file) => file.filename) },
      () => adapter.send({ sessionId, speaker: post.speaker, text: adapter.render(part), ...(attached.length ? { files: attached } : {}) }),
      logger,
    );
    refs.push(ref);
  }
  if (separateFiles) {
    const { ref } = await sendOnce(
      outbox,
      adapter,
      post.key,
      parts.length,
      { sessionId, speaker: post.speaker, text: '', fileNames: files.map((file) => file.filename) },
      () => adapter.sendFiles!({ sessionId, speaker: post.speaker, files }),
      logger,
    );
    refs.push(ref);
  }
  return refs;
}
