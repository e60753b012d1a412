import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, REST, Routes } from 'discord.js';
import type { RedisClient } from '../../src/store/redis-connection.ts';
import sharp from 'sharp';
import { DiscordEmulator } from '../../test/discord-emulator/discord-emulator.ts';
import { deleteKeys, testRedis, uniqueName } from '../../test/harness/redis.ts';
import { RedisKeys } from '../../src/store/keys.ts';
import { RateBudget } from '../../src/pacing/rate-budget.ts';
import { configFrom } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { prepareAvatar } from '../../src/images/persona-avatar.ts';
import { buildSessionId } from '../../src/session/session-id.ts';
import type { PersonaIdentity } from '../../src/adapter/chat-adapter.ts';
import { AvatarHost, avatarWebhookName } from './avatar-host.ts';
import { botUserIdLoader } from './bot-user.ts';
import { DiscordPacing } from './discord-pacing.ts';
import { DiscordPoster } from './discord-poster.ts';
import { PersonaNames } from './persona-names.ts';
import { WebhookRegistry } from './webhook-registry.ts';

describe('AvatarHost against the emulator', () => {
  let emulator: DiscordEmulator;
  let redis: RedisClient;
  let prefix: string;
  let keys: RedisKeys;
  let rest: REST;
  const warnings: string[] = [];
  const logger = createLogger(
    'warn',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        warnings.push(chunk.toString());
        done();
      },
    }),
  );
  const botUserId = () => Promise.resolve(emulator.botUser.id);
  const newHost = () => new AvatarHost({ rest, redis, keys, logger, cdnUrl: emulator.cdnUrl, applicationId: emulator.applicationId, botUserId });
  const hostingWebhooks = (channelId: string) => [...emulator.state.webhooks.values()].filter((webhook) => webhook.channelId === channelId && webhook.name.startsWith('TableRound avatar'));

  async function persona(id: string, displayName: string): Promise<PersonaIdentity> {
    const avatar = await prepareAvatar(undefined, { id, displayName });
    return { id, displayName, avatarPng: avatar.png, avatarHash: avatar.hash };
  }

  beforeAll(async () => {
    emulator = await DiscordEmulator.start();
    redis = testRedis();
    prefix = uniqueName('avatar');
    keys = new RedisKeys(prefix);
    rest = new REST({ api: emulator.apiUrl }).setToken(emulator.token);
  });
  afterAll(async () => {
    await emulator.close();
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  it('hosts each picture once, even for concurrent callers in two processes, at a CDN URL that serves the PNG', async () => {
    const channel = emulator.addTextChannel('hosting');
    const ada = await persona('ada', 'Ada');
    const [first, second] = [newHost(), newHost()];
    const urls = await Promise.all(Array.from({ length: 10 }, (_, index) => (index % 2 === 0 ? first : second).urlFor(channel.id, ada)));
    expect(new Set(urls).size).toBe(1);
    expect(hostingWebhooks(channel.id)).toHaveLength(1);
    const webhook = hostingWebhooks(channel.id)[0]!;
    expect(webhook.name).toBe(avatarWebhookName(ada.avatarHash ?? ''));
    expect(urls[0]).toBe(`${emulator.cdnUrl}/avatars/${webhook.id}/${webhook.avatar}.png`);
    const served = await fetch(urls[0] ?? '');
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer()).equals(ada.avatarPng ?? Buffer.alloc(0))).toBe(true);
    const ttl = await redis.ttl(keys.cache(`discord:avatar:${ada.avatarHash}`));
    expect(ttl).toBeGreaterThan(6 * 24 * 3600);
    expect(ttl).toBeLessThanOrEqual(7 * 24 * 3600);

    // Another channel reuses the hosted copy: the cache is by picture, not by channel.
    const other = emulator.addTextChannel('hosting-elsewhere');
    expect(await newHost().urlFor(other.id, ada)).toBe(urls[0]);
    expect(hostingWebhooks(other.id)).toHaveLength(0);
  });

  it('finds its hosting webhook by name after the Redis entry is gone', async () => {
    const channel = emulator.addTextChannel('rediscovered');
    const sam = await persona('sam', 'Sam');
    const url = await newHost().urlFor(channel.id, sam);
    await redis.del(keys.cache(`discord:avatar:${sam.avatarHash}`));
    expect(await newHost().urlFor(channel.id, sam)).toBe(url);
    expect(hostingWebhooks(channel.id)).toHaveLength(1);
  });

  it('leaves URLs of their own alone and needs a picture', async () => {
    const host = newHost();
    const requests = emulator.stats.requests.length;
    expect(await host.urlFor(emulator.channelId, { id: 'u', displayName: 'U', avatarUrl: 'https://bot.example/avatars/1.png' })).toBe('https://bot.example/avatars/1.png');
    expect(await host.urlFor(emulator.channelId, { id: 'n', displayName: 'N' })).toBeUndefined();
    expect(emulator.stats.requests.length).toBe(requests);
  });

  it('at the webhook cap posts with the default picture, logs once and stops asking', async () => {
    const channel = emulator.addTextChannel('crowded');
    // 13 other integrations + the shared persona webhook = 14: the last slot stays free.
    for (let index = 0; index < 13; index += 1) await rest.post(Routes.channelWebhooks(channel.id), { body: { name: `other ${index}` } });
    const config = configFrom({});
    const pacing = new DiscordPacing(new RateBudget(redis, keys), config);
    const registry = new WebhookRegistry(rest, redis, keys, undefined, botUserIdLoader(new Client({ intents: [] }), rest));
    const poster = new DiscordPoster({ rest, registry, names: new PersonaNames(redis, keys), pacing, redis, keys, logger, avatars: newHost() });
    const starter = (await rest.post(Routes.channelMessages(channel.id), { body: { content: 'topic' } })) as { id: string };
    const thread = (await rest.post(Routes.threads(channel.id, starter.id), { body: { name: 'topic' } })) as { id: string };
    const sessionId = buildSessionId({ platform: 'discord', channel: channel.id, thread: thread.id });
    warnings.length = 0;
    const listsBefore = emulator.stats.requests.filter((request) => request.method === 'GET' && request.path === `/channels/${channel.id}/webhooks`).length;
    for (const [id, name] of [['maya', 'Maya'], ['otto', 'Otto'], ['maya', 'Maya']] as const) {
      await poster.send(sessionId, { kind: 'persona', persona: await persona(id, name) }, `hello from ${name}`);
    }
    const posts = emulator.messagesIn(thread.id);
    expect(posts.map((message) => message.webhookUsername)).toEqual(['Maya', 'Otto', 'Maya']);
    expect(posts.every((message) => message.avatarUrl === undefined)).toBe(true);
    expect(hostingWebhooks(channel.id)).toHaveLength(0);
    expect(warnings.filter((line) => line.includes('persona pictures cannot be hosted'))).toHaveLength(1);
    // One list for the shared webhook and one for the first picture; then the channel is left alone.
    const lists = emulator.stats.requests.filter((request) => request.method === 'GET' && request.path === `/channels/${channel.id}/webhooks`).length - listsBefore;
    expect(lists).toBe(2);
    expect(await redis.ttl(keys.cache(`discord:avatar-unavailable:${channel.id}`))).toBeGreaterThan(0);
  });

  it('the emulator hashes the avatar bytes and refuses what is not an image data URI', async () => {
    const channel = emulator.addTextChannel('emulated-avatars');
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } }).png().toBuffer();
    const body = (avatar: string) => ({ body: { name: 'avatar test', avatar } });
    const first = (await rest.post(Routes.channelWebhooks(channel.id), body(`data:image/png;base64,${png.toString('base64')}`))) as { avatar: string };
    const second = (await rest.post(Routes.channelWebhooks(channel.id), body(`data:image/png;base64,${png.toString('base64')}`))) as { avatar: string };
    expect(first.avatar).toMatch(/^[0-9a-f]{32}$/);
    expect(second.avatar).toBe(first.avatar);
    await expect(rest.post(Routes.channelWebhooks(channel.id), body('https://example.com/a.png'))).rejects.toMatchObject({ code: 50035 });
  });
});
