/**
 * Posting a whole text (and files) as one speaker, exactly once per step and key: the text is
 * split at the adapter's limit, each part rendered and sent through the step outbox, one
 * platform message at a time (see pipeline/step-outbox.ts for the rule).
 *
 * Part numbers under a key: text parts 0…n-1; on platforms that send files separately, the files
 * are part n. A re-run sends only the parts the outbox does not hold.
 *
 * A post's chart: where the adapter draws charts (`ChatAdapter.charts`), the chart goes in the
 * last text part, and its picture (`chart.fallback`) only when the platform did not show it — then
 * as part n, with the post's files (sent by `sendFiles`, or as a message of files alone). Whether
 * it showed is recorded before part n is decided (chart-message.ts), so a re-run decides the same:
 * the picture is sent exactly once, or not at all. Elsewhere the picture is one more file of the post.
 */
import type { ChartData, ChatAdapter, OutboundFile, SendRequest, Speaker } from '../adapter/chat-adapter.ts';
import type { Logger } from '../logging/logger.ts';
import { sendOnce, type OutgoingMessage } from '../pipeline/send-once.ts';
import type { StepOutbox } from '../pipeline/step-outbox.ts';
import { sendChartMessageOnce } from './chart-message.ts';
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
  /**
   * A chart of the post, as data, and its picture for where it is not drawn natively. The post's
   * text should say what the chart shows (screen readers read the text; a chart block has no alt
   * text). Not for a post whose first part was streamed (`firstPart`).
   */
  chart?: { data: ChartData; fallback?: OutboundFile[] };
  /** First part number to use (a stream that already holds part 0 delivers the rest from 1). */
  firstPart?: number;
}

/** Sends every part the outbox does not hold yet; returns the refs of all parts, in order. */
export async function deliverPost(target: DeliveryTarget, post: Post): Promise<string[]> {
  const { outbox, adapter, sessionId, logger } = target;
  const charts = post.chart ? adapter.charts : undefined;
  const fallback = post.chart?.fallback ?? [];
  // Without native charts the picture is known to be needed now: one more file of the post.
  const files = [...(post.files ?? []), ...(charts ? [] : fallback)];
  // With them, files wait for the chart's outcome and follow the text as their own part.
  const separateFiles = charts !== undefined || (files.length > 0 && adapter.sendFiles !== undefined);
  const parts = splitMessage(post.text, adapter.messageLimit);
  if (parts.length === 0 && (charts || (files.length > 0 && !separateFiles))) parts.push('');
  const first = post.firstPart ?? 0;
  const refs: string[] = [];
  let chartShown = false;
  for (const [index, part] of parts.entries()) {
    if (index < first) continue;
    const last = index === parts.length - 1;
    const attached = !separateFiles && last ? files : [];
    const message: OutgoingMessage = { sessionId, speaker: post.speaker, text: part, fileNames: attached.map((file) => file.filename) };
    const request: SendRequest = { sessionId, speaker: post.speaker, text: adapter.render(part), ...(attached.length ? { files: attached } : {}), ...(outbox.superseded ? { signal: outbox.superseded } : {}) };
    if (charts && post.chart && last) {
      const sent = await sendChartMessageOnce(target, charts, post.key, index, message, request, post.chart.data);
      chartShown = sent.shown;
      refs.push(sent.ref);
      continue;
    }
    const { ref } = await sendOnce(outbox, adapter, post.key, index, message, () => adapter.send(request), logger);
    refs.push(ref);
  }
  const separate = separateFiles ? [...files, ...(charts && !chartShown ? fallback : [])] : [];
  if (separate.length > 0) {
    const { ref } = await sendOnce(
      outbox,
      adapter,
      post.key,
      parts.length,
      { sessionId, speaker: post.speaker, text: '', fileNames: separate.map((file) => file.filename) },
      () => sendFiles(adapter, sessionId, post.speaker, separate),
      logger,
    );
    refs.push(ref);
  }
  return refs;
}

/** Files as a message of their own: the adapter's file share, or a message of files without text. */
function sendFiles(adapter: ChatAdapter, sessionId: string, speaker: Speaker, files: OutboundFile[]): Promise<string> {
  return adapter.sendFiles ? adapter.sendFiles({ sessionId, speaker, files }) : adapter.send({ sessionId, speaker, text: '', files });
}
