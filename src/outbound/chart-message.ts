/**
 * The message that carries a native chart (`ChatAdapter.charts`), sent exactly once, and whether
 * the platform shows the chart in it — the fact that decides whether the chart's picture is sent
 * too (deliver-post.ts). The outcome is kept in the step outbox (as a payload: a fenced write, so a
 * runner that lost the step writes nothing), after the message's ref and before the files' part.
 *
 * A re-run that finds the message but not the outcome (the process died between the platform call
 * and that record, or the outbox's lookup found the message) asks the platform (`charts.shown`);
 * when even the platform cannot tell, the picture is sent: a chart shown twice is better than none.
 */
import type { ChartData, NativeCharts, SendRequest } from '../adapter/chat-adapter.ts';
import { sendOnce, type OutgoingMessage } from '../pipeline/send-once.ts';
import type { DeliveryTarget } from './deliver-post.ts';

const shownValue = 'shown';
const refusedValue = 'refused';

/** The outbox payload key holding a post's chart outcome. */
export function chartOutcomeKey(postKey: string): string {
  return `chart-outcome:${postKey}`;
}

/** Sends the message with its chart under (key, part), once; returns its ref and whether the chart shows. */
export async function sendChartMessageOnce(
  target: DeliveryTarget,
  charts: NativeCharts,
  key: string,
  part: number,
  message: OutgoingMessage,
  request: SendRequest,
  chart: ChartData,
): Promise<{ ref: string; shown: boolean }> {
  const { outbox, adapter, sessionId, logger } = target;
  let sentNow: boolean | undefined;
  const { ref } = await sendOnce(
    outbox,
    adapter,
    key,
    part,
    message,
    async () => {
      const result = await charts.send(request, chart);
      sentNow = result.shown;
      return result.ref;
    },
    logger,
  );
  const recorded = outbox.payload(chartOutcomeKey(key));
  if (recorded === shownValue || recorded === refusedValue) return { ref, shown: recorded === shownValue };
  const shown = sentNow ?? (await charts.shown(sessionId, ref)) ?? false;
  if (sentNow === undefined) logger?.info({ sessionId, key, shown }, 'outbox: asked the platform whether the chart of an interrupted attempt shows');
  await outbox.savePayload(chartOutcomeKey(key), shown ? shownValue : refusedValue);
  return { ref, shown };
}
