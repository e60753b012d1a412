/**
 * A vote result with its chart through the Slack adapter, the real Web API client and the step
 * outbox on real Redis, against the emulator: the chart drawn by Slack (a `data_visualization`
 * block, the numbers in `text`, no picture); a workspace that refuses chart blocks (the message
 * without it, the picture with an alt text that says the numbers — and every later result, in this
 * process or another, straight to the picture); and re-runs after a crash around each platform
 * call, which neither post the message twice nor lose the chart or its picture.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import type { RedisClient } from '../../src/store/redis-connection.ts';
import { startSlackEmulator, type SlackEmulator } from '../../test/slack-emulator/slack-emulator.ts';
import { deleteKeys, testRedis, uniqueName } from '../../test/harness/redis.ts';
import { testOutbox } from '../../test/harness/test-outbox.ts';
import { configFrom } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { RedisKeys } from '../../src/store/keys.ts';
import { RateBudget } from '../../src/pacing/rate-budget.ts';
import { buildSessionId } from '../../src/session/session-id.ts';
import type { RoundtableService } from '../../src/engine/roundtable-service.ts';
import type { ChartData, ChatAdapter, NativeCharts, OutboundFile, SendRequest, Speaker } from '../../src/adapter/chat-adapter.ts';
import { deliverPost, type Post } from '../../src/outbound/deliver-post.ts';
import { voteChartAltText } from '../../src/engine/vote-alt-text.ts';
import { SlackChatAdapter } from './slack-chat-adapter.ts';
import { MessagePoster } from './message-poster.ts';
import { SlackPacing } from './slack-pacing.ts';
import { botIdentityLoader, webClientOptions } from './web-client.ts';
import { SingleWorkspace } from './slack-workspaces.ts';
import { chartBlockId } from './chart-posts.ts';

const moderator: Speaker = { kind: 'moderator' };
const rows = [
  { label: 'quiet', peopleVotes: 4, personaVotes: 2 },
  { label: 'warm', peopleVotes: 1, personaVotes: 3 },
  { label: 'soft handle', peopleVotes: 0, personaVotes: 1 },
];
const chart: ChartData = {
  title: 'Votes per keyword',
  categories: rows.map((row) => row.label),
  series: [
    { name: 'People', values: rows.map((row) => row.peopleVotes) },
    { name: 'Panel', values: rows.map((row) => row.personaVotes) },
  ],
  axisLabels: { category: 'Keyword', value: 'Votes' },
};
const text = '**Vote closed.** 7 voters; a keyword needed 5. Chosen: **quiet**.\nquiet: 6 (panel 2, people 4); warm: 4 (panel 3, people 1); soft handle: 1 (panel 1, people 0)';
const picture = (pollId: string): OutboundFile => ({ filename: `vote-${pollId}.png`, contentType: 'image/png', bytes: Buffer.from('png bytes'), description: voteChartAltText('en', rows) });
const result = (pollId: string): Post => ({ key: `poll-result:${pollId}`, speaker: moderator, text, chart: { data: chart, fallback: [picture(pollId)] } });

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(options: { chartBlocks?: boolean } = {}) {
  const emulator: SlackEmulator = await startSlackEmulator({ echoBotMessages: false, chartBlocks: options.chartBlocks ?? true, rateLimits: { postMessagePerChannel: { limit: 1, windowMs: 100 } } });
  const redis: RedisClient = testRedis();
  const prefix = uniqueName('slkchart');
  cleanups.push(async () => {
    await emulator.stop();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });
  const config = configFrom({ SLACK_BOT_TOKEN: emulator.botToken, SLACK_SIGNING_SECRET: emulator.signingSecret, SLACK_API_URL: emulator.apiUrl, REDIS_KEY_PREFIX: prefix, SLACK_POST_WINDOW_MS: 100 });
  const logger = createLogger('silent');
  const keys = new RedisKeys(prefix);
  const roundtable = { status: async () => undefined } as unknown as RoundtableService;
  /** One process's adapter (each has its own client, identity and in-process memory). */
  const adapterProcess = () => {
    const client = new WebClient(emulator.botToken, webClientOptions(config, logger));
    const bot = botIdentityLoader(client);
    const pacing = new SlackPacing(new RateBudget(redis, keys), config, async () => (await bot()).teamId);
    const workspaces = new SingleWorkspace(client, bot, emulator.botToken);
    return new SlackChatAdapter({ config, workspaces, poster: new MessagePoster(workspaces, pacing), pacing, roundtable, logger, cache: { redis, keys } });
  };
  const adapter = adapterProcess();
  const channel = emulator.addChannel('design');
  const parent = await new WebClient(emulator.botToken, webClientOptions(config, logger)).chat.postMessage({ channel: channel.id, text: 'a quiet kettle' });
  const threadTs = parent.ts ?? '';
  // That post took the channel's message slot without the bot's budget knowing: let it pass.
  await new Promise((resolve) => setTimeout(resolve, 150));
  const sessionId = buildSessionId({ platform: 'slack', channel: channel.id, thread: threadTs });
  const replies = () => emulator.thread(channel.id, threadTs).slice(1);
  const posts = () => emulator.calls('chat.postMessage').filter((call) => call.args.thread_ts === threadTs);
  return { emulator, redis, prefix, keys, adapter, adapterProcess, sessionId, replies, posts };
}

const chartOf = (blocks: unknown[] | undefined) => (blocks ?? []).find((block) => (block as { type?: string }).type === 'data_visualization');

/** The adapter, dying (like its process) right after the platform accepted `what`. */
function dyingAfter(adapter: ChatAdapter, what: 'chart message' | 'files'): ChatAdapter {
  const charts = adapter.charts!;
  const dying: NativeCharts = {
    send: async (request: SendRequest, data: ChartData) => {
      await charts.send(request, data);
      throw new Error('process killed');
    },
    shown: (sessionId, ref) => charts.shown(sessionId, ref),
  };
  const sendFiles = adapter.sendFiles!.bind(adapter);
  return Object.assign(Object.create(adapter) as ChatAdapter, what === 'chart message' ? { charts: dying } : { sendFiles: async (request: Parameters<typeof sendFiles>[0]) => { await sendFiles(request); throw new Error('process killed'); } });
}

describe('Slack vote results with a chart', () => {
  it('draws the chart in the result message, says the numbers in its text, and uploads no picture', async () => {
    const { emulator, redis, prefix, adapter, sessionId, replies } = await setUp();
    const { outbox } = await testOutbox(redis, prefix, sessionId);
    const refs = await deliverPost({ outbox, adapter, sessionId }, result('p1'));
    expect(refs).toHaveLength(1);
    const [message] = replies();
    expect(replies()).toHaveLength(1);
    expect(message?.text).toBe(adapter.render(text));
    expect(message?.text).toMatch(/quiet: 6 \(panel 2, people 4\)/);
    expect(message?.blocks?.[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn', text: adapter.render(text) } });
    expect(chartOf(message?.blocks)).toEqual({
      type: 'data_visualization',
      block_id: chartBlockId,
      title: 'Votes per keyword',
      chart: {
        type: 'bar',
        series: [
          { name: 'People', data: [{ label: 'quiet', value: 4 }, { label: 'warm', value: 1 }, { label: 'soft handle', value: 0 }] },
          { name: 'Panel', data: [{ label: 'quiet', value: 2 }, { label: 'warm', value: 3 }, { label: 'soft handle', value: 1 }] },
        ],
        axis_config: { categories: ['quiet', 'warm', 'soft handle'], x_label: 'Keyword', y_label: 'Votes' },
      },
    });
    expect(emulator.calls('files.getUploadURLExternal')).toHaveLength(0);
    // A re-run of a step that finished sending sends nothing.
    const again = await deliverPost({ outbox: await (await testOutbox(redis, prefix, sessionId)).reload(), adapter, sessionId }, result('p1'));
    expect(again).toEqual(refs);
    expect(replies()).toHaveLength(1);
    expect(emulator.rateLimitHits).toHaveLength(0);
  });

  it('in a workspace that refuses chart blocks: the message without it, the picture with the numbers as alt text, and later results straight to the picture', async () => {
    const { emulator, redis, prefix, keys, adapter, adapterProcess, sessionId, replies, posts } = await setUp({ chartBlocks: false });
    const { outbox } = await testOutbox(redis, prefix, sessionId);
    const refs = await deliverPost({ outbox, adapter, sessionId }, result('p1'));
    expect(refs).toHaveLength(2);
    // The refused call posted nothing; the same message went without the chart.
    expect(posts()).toHaveLength(2);
    expect(JSON.stringify(posts()[0]?.args.blocks)).toContain('data_visualization');
    expect(posts()[1]?.args.blocks).toBeUndefined();
    const [message, share] = replies();
    expect(replies()).toHaveLength(2);
    expect(message?.text).toBe(adapter.render(text));
    expect(chartOf(message?.blocks)).toBeUndefined();
    expect(share?.files?.map((file) => [file.name, file.altText])).toEqual([['vote-p1.png', 'Votes per keyword — quiet: people 4, panel 2; warm: people 1, panel 3; soft handle: people 0, panel 1']]);
    expect(await redis.pttl(keys.cache(`slack:charts-refused:${emulator.workspace.teamId}`))).toBeGreaterThan(0);

    // The next result in this process, and one in another process (Redis), try no chart at all.
    const next = await testOutbox(redis, prefix, sessionId, 1);
    await deliverPost({ outbox: next.outbox, adapter, sessionId }, result('p2'));
    const third = await testOutbox(redis, prefix, sessionId, 2);
    await deliverPost({ outbox: third.outbox, adapter: adapterProcess(), sessionId }, result('p3'));
    expect(posts()).toHaveLength(4);
    expect(posts().slice(2).map((call) => call.args.blocks)).toEqual([undefined, undefined]);
    expect(replies().flatMap((reply) => reply.files ?? []).map((file) => file.name)).toEqual(['vote-p1.png', 'vote-p2.png', 'vote-p3.png']);
    expect(emulator.rateLimitHits).toHaveLength(0);
  });

  it('a re-run after a crash right after the chart message was accepted finds it, and sends no picture', async () => {
    const { emulator, redis, prefix, adapter, sessionId, replies } = await setUp();
    const step = await testOutbox(redis, prefix, sessionId);
    await expect(deliverPost({ outbox: step.outbox, adapter: dyingAfter(adapter, 'chart message'), sessionId }, result('p1'))).rejects.toThrow('process killed');
    const refs = await deliverPost({ outbox: await step.reload(), adapter, sessionId }, result('p1'));
    expect(replies().map((reply) => reply.ts)).toEqual(refs);
    expect(chartOf(replies()[0]?.blocks)).toBeDefined();
    expect(emulator.calls('files.getUploadURLExternal')).toHaveLength(0);
    // Found by its text (conversations.replies), its chart confirmed there.
    expect(emulator.calls('conversations.replies').length).toBeGreaterThanOrEqual(2);
    expect(emulator.rateLimitHits).toHaveLength(0);
  });

  it('a re-run after a crash around the refused chart or the picture upload sends the message once and the picture once', async () => {
    const { emulator, redis, prefix, adapter, adapterProcess, sessionId, replies } = await setUp({ chartBlocks: false });
    const step = await testOutbox(redis, prefix, sessionId);
    await expect(deliverPost({ outbox: step.outbox, adapter: dyingAfter(adapter, 'chart message'), sessionId }, result('p1'))).rejects.toThrow('process killed');
    expect(replies()).toHaveLength(1);
    // The next attempt (another process) learns the outcome from the message, then dies after the upload.
    await expect(deliverPost({ outbox: await step.reload(), adapter: dyingAfter(adapterProcess(), 'files'), sessionId }, result('p1'))).rejects.toThrow('process killed');
    const refs = await deliverPost({ outbox: await step.reload(), adapter: adapterProcess(), sessionId }, result('p1'));
    expect(refs).toHaveLength(2);
    expect(replies()).toHaveLength(2);
    expect(chartOf(replies()[0]?.blocks)).toBeUndefined();
    expect(replies()[1]?.files?.map((file) => file.name)).toEqual(['vote-p1.png']);
    expect(emulator.calls('files.completeUploadExternal')).toHaveLength(1);
    expect(emulator.rateLimitHits).toHaveLength(0);
  });
});
