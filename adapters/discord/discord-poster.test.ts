import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REST, Routes } from 'discord.js';
import type { Redis } from 'ioredis';
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
import { StreamWriter } from './stream-writer.ts';

describe('DiscordPoster against the emulator', () => {
  let emulator: DiscordEmulator;
  let redis: Redis;
  let prefix: string;
  let rest: REST;
  let poster: DiscordPoster;
  let pacing: DiscordPacing;
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
    poster = new DiscordPoster({ rest, registry: new WebhookRegistry(rest, redis, keys, undefined), names: new PersonaNames(redis, keys), pacing, redis, keys, logger });
  });
  afterAll(async () => {
    await emulator.close();
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  it('shares one webhook lookup between concurrent posts and uses distinct names per persona', async () => {
    const sessionId = await newThread();
    await Promise.all([
      poster.post({ sessionId, speaker: persona('a', 'Sam'), text: 'one' }),
      poster.post({ sessionId, speaker: persona('b', 'Sam'), text: 'two' }),
      poster.post({ sessionId, speaker: persona('c', 'Discord Dan'), text: 'three' }),
    ]);
    expect([...emulator.state.webhooks.values()].filter((webhook) => webhook.channelId === emulator.channelId)).toHaveLength(1);
    const names = emulator.messagesIn(sessionId.split(':')[2] ?? '').map((message) => message.webhookUsername);
    expect(new Set(names).size).toBe(3);
    expect(names.join(' ')).not.toMatch(/discord/i);
  });

  it('refreshes the webhook and retries once after "Unknown Webhook"', async () => {
    const sessionId = await newThread();
    await poster.post({ sessionId, speaker: persona('a', 'Sam'), text: 'before' });
    for (const webhook of emulator.state.webhooks.values()) emulator.deleteWebhook(webhook.id);
    const result = await poster.post({ sessionId, speaker: persona('a', 'Sam'), text: 'after' });
    expect(result.messageIds).toHaveLength(1);
    expect(emulator.state.webhooks.size).toBe(1);
  });

  it('answers the 15-webhook cap clearly and keeps the persona speaking through the bot', async () => {
    const channel = emulator.addTextChannel('full');
    for (let index = 0; index < 15; index += 1) await rest.post(Routes.channelWebhooks(channel.id), { body: { name: `other ${index}` } });
    const sessionId = await newThread(channel.id);
    await poster.post({ sessionId, speaker: persona('a', 'Sam'), text: 'hello' });
    const contents = emulator.messagesIn(sessionId.split(':')[2] ?? '').map((message) => String(message.json.content));
    expect(contents.some((content) => content.includes('15 webhooks'))).toBe(true);
    expect(contents).toContain('**Sam:** hello');
  });

  it('streams: posts early, paces edits, always sends the final text, splits long finals', async () => {
    const sessionId = await newThread();
    const stream = new StreamWriter(sessionId, persona('s', 'Streamer'), poster, pacing, logger);
    let text = '';
    for (let index = 0; index < 40; index += 1) {
      text += `word${index} `;
      stream.update(text);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const final = `${'Long sentence here. '.repeat(150)}The end.`;
    const result = await stream.finish(final);
    expect(result.messageIds.length).toBe(2);
    const first = emulator.state.messages.get(result.messageIds[0] ?? '');
    expect(first?.edits.length).toBeLessThanOrEqual(5);
    expect(String(emulator.state.messages.get(result.messageIds[1] ?? '')?.json.content)).toContain('The end.');
    const editTimes = first?.edits.map((edit) => edit.at) ?? [];
    for (let index = 1; index < editTimes.length; index += 1) expect((editTimes[index] ?? 0) - (editTimes[index - 1] ?? 0)).toBeGreaterThanOrEqual(140);
    for (const allowed of first?.allowedMentionsHistory ?? []) expect(allowed).toEqual({ parse: [] });
  });

  it('resumes a half-streamed message after a crash instead of posting a second one', async () => {
    const sessionId = await newThread();
    const registry = new WebhookRegistry(rest, redis, new RedisKeys(prefix), undefined);
    let token: string | undefined;
    const crashed = new StreamWriter(sessionId, persona('r', 'Resumer'), poster, pacing, logger, registry, { onStarted: async (value) => void (token = value) });
    crashed.update('The first half of a thought');
    for (let waited = 0; token === undefined && waited < 5_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(token).toBeDefined();
    expect(token).not.toMatch(/token/i);
    // The worker dies here. A retried step continues the same message.
    const retried = new StreamWriter(sessionId, persona('r', 'Resumer'), poster, pacing, logger, registry, { resume: token! });
    retried.update('The whole thought');
    const result = await retried.finish('The whole thought, finished.');
    const messages = emulator.messagesIn(sessionId.split(':')[2] ?? '');
    expect(messages).toHaveLength(1);
    expect(result.messageIds).toEqual([String(messages[0]!.json.id)]);
    expect(String(messages[0]!.json.content)).toBe('The whole thought, finished.');
  });
});
