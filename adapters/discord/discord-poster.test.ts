import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REST, Routes } from 'discord.js';
import type { RedisClient } from '../../src/store/redis-connection.ts';
import { DiscordEmulator } from '../../test/discord-emulator/discord-emulator.ts';
import { testRedis, uniqueName, deleteKeys } from '../../test/harness/redis.ts';
import { RedisKeys } from '../../src/store/keys.ts';
import { RateBudget } from '../../src/pacing/rate-budget.ts';
import { configFrom } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { buildSessionId } from '../../src/session/session-id.ts';
import { DiscordPacing } from './discord-pacing.ts';
import { WebhookRegistry } from './webhook-registry.ts';
import { PersonaNames } from './persona-names.ts';
import { DiscordPoster } from './discord-poster.ts';
import { DiscordChatAdapter } from './discord-chat-adapter.ts';
import { botUserIdLoader } from './bot-user.ts';
import { deliverPost } from '../../src/outbound/deliver-post.ts';
import { OutboxStream } from '../../src/outbound/outbox-stream.ts';
import { testOutbox } from '../../test/harness/test-outbox.ts';
import type { ChatAdapter, SendRequest } from '../../src/adapter/chat-adapter.ts';
import { Client } from 'discord.js';

describe('DiscordPoster against the emulator', () => {
  let emulator: DiscordEmulator;
  let redis: RedisClient;
  let prefix: string;
  let rest: REST;
  let poster: DiscordPoster;
  let pacing: DiscordPacing;
  let adapter: DiscordChatAdapter;
  let registry: WebhookRegistry;
  const logger = createLogger('silent');
  const persona = (id: string, displayName: string) => ({ kind: 'persona' as const, persona: { id, displayName } });

  async function newThread(channelId = emulator.channelId): Promise<string> {
    const starter = (await rest.post(Routes.channelMessages(channelId), { body: { content: 'topic' } })) as { id: string };
    const thread = (await rest.post(Routes.threads(channelId, starter.id), { body: { name: 'topic' } })) as { id: string };
    return buildSessionId({ platform: 'discord', channel: channelId, thread: thread.id });
  }

  beforeAll(async () => {
    emulator = await DiscordEmulator.start();
    redis = testRedis();
    prefix = uniqueName('dp');
    const keys = new RedisKeys(prefix);
    rest = new REST({ api: emulator.apiUrl }).setToken(emulator.token);
    const config = configFrom({ DISCORD_EDIT_INTERVAL_MS: 150 });
    pacing = new DiscordPacing(new RateBudget(redis, keys), config);
    const botUserId = botUserIdLoader(new Client({ intents: [] }), rest);
    registry = new WebhookRegistry(rest, redis, keys, undefined, botUserId);
    const names = new PersonaNames(redis, keys);
    poster = new DiscordPoster({ rest, registry, names, pacing, redis, keys, logger });
    adapter = new DiscordChatAdapter({ rest, config, poster, pacing, registry, names, logger, botUserId });
  });

  let posts = 0;
  /** Posts a whole text once, as the core does (a fresh step outbox per call, one key each). */
  async function post(sessionId: string, speaker: Parameters<typeof deliverPost>[1]['speaker'], text: string): Promise<string[]> {
    const { outbox } = await testOutbox(redis, prefix, sessionId);
    return deliverPost({ outbox, adapter, sessionId }, { key: `post-${++posts}`, speaker, text });
  }
  afterAll(async () => {
    await emulator.close();
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  it('shares one webhook lookup between concurrent posts and uses distinct names per persona', async () => {
    const sessionId = await newThread();
    await Promise.all([
      post(sessionId, persona('a', 'Sam'), 'one'),
      post(sessionId, persona('b', 'Sam'), 'two'),
      post(sessionId, persona('c', 'Discord Dan'), 'three'),
    ]);
    expect([...emulator.state.webhooks.values()].filter((webhook) => webhook.channelId === emulator.channelId)).toHaveLength(1);
    const names = emulator.messagesIn(sessionId.split(':')[2] ?? '').map((message) => message.webhookUsername);
    expect(new Set(names).size).toBe(3);
    expect(names.join(' ')).not.toMatch(/discord/i);
  });

  it('refreshes the webhook and retries once after "Unknown Webhook"', async () => {
    const sessionId = await newThread();
    await post(sessionId, persona('a', 'Sam'), 'before');
    for (const webhook of emulator.state.webhooks.values()) emulator.deleteWebhook(webhook.id);
    const refs = await post(sessionId, persona('a', 'Sam'), 'after');
    expect(refs).toHaveLength(1);
    expect(emulator.state.webhooks.size).toBe(1);
  });

  it('answers the 15-webhook cap clearly and keeps the persona speaking through the bot', async () => {
    const channel = emulator.addTextChannel('full');
    for (let index = 0; index < 15; index += 1) await rest.post(Routes.channelWebhooks(channel.id), { body: { name: `other ${index}` } });
    const sessionId = await newThread(channel.id);
    await post(sessionId, persona('a', 'Sam'), 'hello');
    const contents = emulator.messagesIn(sessionId.split(':')[2] ?? '').map((message) => String(message.json.content));
    expect(contents.some((content) => content.includes('15 webhooks'))).toBe(true);
    expect(contents).toContain('**Sam:** hello');
  });

  it('streams: posts early, paces edits, always sends the final text, splits long finals', async () => {
    const sessionId = await newThread();
    const { outbox } = await testOutbox(redis, prefix, sessionId);
    const stream = new OutboxStream({ outbox, adapter, sessionId, speaker: persona('s', 'Streamer'), key: 'turn', logger });
    let text = '';
    for (let index = 0; index < 40; index += 1) {
      text += `word${index} `;
      stream.update(text);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const final = `${'Long sentence here. '.repeat(150)}The end.`;
    const refs = await stream.finish(final);
    expect(refs.length).toBe(2);
    const id = (ref: string | undefined) => ref?.split(':').at(-1) ?? '';
    const first = emulator.state.messages.get(id(refs[0]));
    expect(first?.edits.length).toBeLessThanOrEqual(5);
    expect(String(emulator.state.messages.get(id(refs[1]))?.json.content)).toContain('The end.');
    const editTimes = first?.edits.map((edit) => edit.at) ?? [];
    for (let index = 1; index < editTimes.length; index += 1) expect((editTimes[index] ?? 0) - (editTimes[index - 1] ?? 0)).toBeGreaterThanOrEqual(140);
    for (const allowed of first?.allowedMentionsHistory ?? []) expect(allowed).toEqual({ parse: [] });
  });

  it('a re-run after a crash continues the half-streamed message instead of posting a second one', async () => {
    const sessionId = await newThread();
    const step = await testOutbox(redis, prefix, sessionId);
    const crashed = new OutboxStream({ outbox: step.outbox, adapter, sessionId, speaker: persona('r', 'Resumer'), key: 'turn', logger });
    crashed.update('The first half of a thought');
    for (let waited = 0; step.outbox.part('turn', 0)?.ref === undefined && waited < 5_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    const ref = step.outbox.part('turn', 0)?.ref;
    expect(ref).toBeDefined();
    expect(JSON.stringify(await redis.hgetall(new RedisKeys(prefix).session('outbox', sessionId)))).not.toMatch(/token/i);
    // The worker dies here. A retried step continues the same message.
    const retried = new OutboxStream({ outbox: await step.reload(), adapter, sessionId, speaker: persona('r', 'Resumer'), key: 'turn', logger });
    await retried.open();
    retried.update('The whole thought');
    const refs = await retried.finish('The whole thought, finished.');
    const messages = emulator.messagesIn(sessionId.split(':')[2] ?? '');
    expect(messages).toHaveLength(1);
    expect(refs).toEqual([ref]);
    expect(String(messages[0]!.json.content)).toBe('The whole thought, finished.');
  });

  it('a post Discord took just before the process died is found in the thread, not sent twice', async () => {
    const sessionId = await newThread();
    const step = await testOutbox(redis, prefix, sessionId);
    const dying: ChatAdapter = Object.assign(Object.create(adapter) as ChatAdapter, {
      send: async (request: SendRequest) => {
        await adapter.send(request);
        throw new Error('process killed');
      },
    });
    await expect(deliverPost({ outbox: step.outbox, adapter: dying, sessionId }, { key: 'turn', speaker: persona('k', 'Keeper'), text: 'Posted once, however often the step runs.' })).rejects.toThrow('process killed');
    const refs = await deliverPost({ outbox: await step.reload(), adapter, sessionId }, { key: 'turn', speaker: persona('k', 'Keeper'), text: 'Posted once, however often the step runs.' });
    const messages = emulator.messagesIn(sessionId.split(':')[2] ?? '');
    expect(messages).toHaveLength(1);
    expect(refs).toHaveLength(1);
    expect(refs[0]).toContain(String(messages[0]!.json.id));
  });
});
