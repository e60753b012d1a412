/**
 * Slack's native charts (`ChatAdapter.charts`): a message with a chart is its text as `section`
 * blocks, the `data_visualization` block (chart-block.ts), and a persona's Ask button if any; its
 * top-level `text` is the same rendered text as without the chart, so screen readers (which read
 * `text`, not blocks) hear the numbers and the outbox's lookup (`findPost`, by text) finds the
 * message either way.
 *
 * A refusal: when Slack answers the post with the chart `ok: false` (`invalid_blocks` from a
 * workspace without the feature), nothing was posted; the same message goes once more without the
 * chart, and when that is accepted the chart was the trouble: the workspace is remembered as
 * refusing charts (chart-refusals.ts) and the core sends the picture. A failure that may have
 * posted (a timeout) is not retried here — the outbox looks the message up.
 */
import type { ChartData, ChartPostResult, NativeCharts, SendRequest, Speaker } from '../../src/adapter/chat-adapter.ts';
import type { Logger } from '../../src/logging/logger.ts';
import { personaPostBlocks, textSections } from './ask-blocks.ts';
import { chartBlock } from './chart-block.ts';
import type { ChartRefusals } from './chart-refusals.ts';
import { platformFailure, slackRefusal, threadOf, type MessagePoster } from './message-poster.ts';
import type { SlackPacing } from './slack-pacing.ts';
import { clientForChannel, type SlackWorkspaces } from './slack-workspaces.ts';

/** The chart block's id: how `shown` recognises it in a message. */
export const chartBlockId = 'tableround_chart';

export interface SlackChartsDependencies {
  workspaces: SlackWorkspaces;
  poster: MessagePoster;
  pacing: SlackPacing;
  logger: Logger;
  refusals: ChartRefusals;
  /** The `actions` block a speaker's post ends with (a persona's Ask button); undefined for none. */
  actionsOf(sessionId: string, speaker: Speaker): Promise<Record<string, unknown> | undefined>;
}

export class SlackCharts implements NativeCharts {
  constructor(private readonly dependencies: SlackChartsDependencies) {}

  async send(request: SendRequest, chart: ChartData): Promise<ChartPostResult> {
    const { poster, refusals, logger } = this.dependencies;
    const thread = threadOf(request.sessionId);
    const actions = await this.dependencies.actionsOf(request.sessionId, request.speaker);
    // Exactly what `send` posts for this speaker.
    const plain = actions ? personaPostBlocks(request.text, actions) : undefined;
    const block = chartBlock(chart, chartBlockId);
    const workspace = await this.dependencies.workspaces.teamOf(thread.channel);
    if (!block || (await refusals.refuses(workspace))) return { ref: await poster.postPart(thread, request.speaker, request.text, plain), shown: false };
    const blocks = [...textSections(request.text), block, ...(actions ? [actions] : [])];
    try {
      return { ref: await poster.postPart(thread, request.speaker, request.text, blocks), shown: true };
    } catch (error) {
      const refusal = slackRefusal(error);
      if (!refusal) throw error;
      const ref = await poster.postPart(thread, request.speaker, request.text, plain);
      await refusals.refused(workspace);
      logger.warn({ sessionId: request.sessionId, refusal }, 'slack refused the chart block: posted the message without it (its picture follows); charts in this workspace go as pictures for a day');
      return { ref, shown: false };
    }
  }

  async shown(sessionId: string, ref: string): Promise<boolean | undefined> {
    const { workspaces, pacing } = this.dependencies;
    const thread = threadOf(sessionId);
    const client = await clientForChannel(workspaces, thread.channel);
    if (!client) return undefined;
    await pacing.reserveReplies(thread.channel);
    let result;
    try {
      // The thread's parent always comes first: two messages hold the parent and `ref`.
      result = await client.conversations.replies({ channel: thread.channel, ts: thread.threadTs, oldest: ref, latest: ref, inclusive: true, limit: 2 });
    } catch (error) {
      throw platformFailure('conversations.replies', error);
    }
    const message = (result.messages ?? []).find((candidate) => candidate.ts === ref) as { blocks?: { type?: string; block_id?: string }[] } | undefined;
    if (!message) return undefined;
    return (message.blocks ?? []).some((candidate) => candidate.type === 'data_visualization' && candidate.block_id === chartBlockId);
  }
}
