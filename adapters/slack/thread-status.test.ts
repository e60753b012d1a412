/**
 * "is writing…" (`assistant.threads.setStatus`) through the real Web API client against the
 * emulator, paced by the Redis-shared budget on real Redis.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import { startSlackEmulator, type SlackEmulator } from '../../test/slack-emulator/slack-emulator.ts';
import { deleteKeys, testRedis, uniqueName } from '../../test/harness/redis.ts';
import { configFrom } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { RedisKeys } from '../../src/store/keys.ts';
import { RateBudget } from '../../src/pacing/rate-budget.ts';
import { buildSessionId } from '../../src/session/session-id.ts';
import type { RoundtableService } from '../../src/engine/roundtable-service.ts';
import type { Speaker } from '../../src/adapter/chat-adapter.ts';
import { SlackChatAdapter } from './slack-chat-adapter.ts';
import { MessagePoster } from './message-poster.ts';
import { SlackPacing } from './slack-pacing.ts';
import { botIdentityLoader, webClientOptions } from './web-client.ts';
import { SingleWorkspace } from './slack-workspaces.ts';
import { threadStatusText, threadStatusWaitMs } from './thread-status.ts';

const maker: Speaker = { kind: 'persona', persona: { id: 'maker', displayName: 'Maker', emoji: ':hammer:' } };
const critic: Speaker = { kind: 'persona', persona: { id: 'critic', displayName: 'Critic', avatarUrl: 'https://example.com/critic.png' } };

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(options: { clientRetries?: number } = {}) {
  const emulator: SlackEmulator = await startSlackEmulator({ echoBotMessages: false });
  const redis: Redis = testRedis();
  const prefix = uniqueName('slkstatus');
  cleanups.push(async () => {
    await emulator.stop();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });
  const config = configFrom({ SLACK_BOT_TOKEN: emulator.botToken, SLACK_SIGNING_SECRET: emulator.signingSecret, SLACK_API_URL: emulator.apiUrl, REDIS_KEY_PREFIX: prefix });
  const logger = createLogger('silent');
  const base = webClientOptions(config, logger);
  const client = new WebClient(emulator.botToken, options.clientRetries === undefined ? base : { ...base, retryConfig: { retries: options.clientRetries } });
  const bot = botIdentityLoader(client);
  const pacing = new SlackPacing(new RateBudget(redis, new RedisKeys(prefix)), config, async () => (await bot()).teamId);
  const workspaces = new SingleWorkspace(client, bot, emulator.botToken);
  const poster = new MessagePoster(workspaces, pacing);
  // typing never asks the core anything.
  const roundtable = { status: async () => undefined } as unknown as RoundtableService;
  const adapter = new SlackChatAdapter({ config, workspaces, poster, pacing, roundtable, logger });
  const channel = emulator.addChannel('design');
  const parent = await client.chat.postMessage({ channel: channel.id, text: 'a quiet kettle' });
  const threadTs = parent.ts ?? '';
  const sessionId = buildSessionId({ platform: 'slack', channel: channel.id, thread: threadTs });
  return { emulator, adapter, poster, channel, threadTs, sessionId };
}

describe('Slack "is writing…" thread status', () => {
  it('shows the persona composing under its own name and icon, until it posts', async () => {
    const { emulator, adapter, poster, channel, threadTs, sessionId } = await setUp();
    await adapter.typing(sessionId, maker);
    expect(emulator.calls('assistant.threads.setStatus').map((call) => call.args)).toEqual([
      { channel_id: channel.id, thread_ts: threadTs, status: threadStatusText, username: 'Maker', icon_emoji: ':hammer:' },
    ]);
    expect(emulator.workspace.statusOf(channel.id, threadTs)).toMatchObject({ status: threadStatusText, username: 'Maker', iconEmoji: ':hammer:' });
    await poster.postPart({ channel: channel.id, threadTs }, maker, 'A handle that stays cool.');
    expect(emulator.workspace.statusOf(channel.id, threadTs)).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 1_050)); // the channel's status budget frees up
    await adapter.typing(sessionId, critic);
    expect(emulator.workspace.statusOf(channel.id, threadTs)).toMatchObject({ username: 'Critic', iconUrl: 'https://example.com/critic.png' });
    expect(emulator.rateLimitHits).toEqual([]);
  });

  it('skips a status the budget has no room for, without waiting and without a 429', async () => {
    const { emulator, adapter, sessionId } = await setUp();
    await adapter.typing(sessionId, maker);
    const started = Date.now();
    await adapter.typing(sessionId, critic);
    await adapter.typing(sessionId, maker);
    expect(Date.now() - started).toBeLessThan(500);
    expect(emulator.calls('assistant.threads.setStatus')).toHaveLength(1);
    expect(emulator.rateLimitHits).toEqual([]);
  });

  it('never throws and never holds the persona back long', async () => {
    const { emulator, adapter, sessionId } = await setUp({ clientRetries: 0 });
    // A thread Slack does not know: refused with invalid_thread_ts, logged, not thrown.
    const other = emulator.addChannel('other');
    await expect(adapter.typing(buildSessionId({ platform: 'slack', channel: other.id, thread: '1.000001' }), maker)).resolves.toBeUndefined();
    expect(emulator.calls('assistant.threads.setStatus').at(-1)).toMatchObject({ ok: false, error: 'invalid_thread_ts' });
    // Not a Slack session at all.
    await expect(adapter.typing('discord:1:2', maker)).resolves.toBeUndefined();
    // Slack answers 429 with a long Retry-After, which the Web API client waits out: the persona does not.
    emulator.server.throttleEverything = 30;
    const started = Date.now();
    await expect(adapter.typing(sessionId, critic)).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(threadStatusWaitMs + 1_000);
    expect(emulator.calls('assistant.threads.setStatus').at(-1)).toMatchObject({ status: 429 });
  });
});
