import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, GatewayIntentBits, REST, Status } from 'discord.js';
import { gatewayShardOptions, needsRecommendedShardCount, resolveGatewayShardOptions, allShardsReady, describeShards, type ShardSettings } from './gateway-shards.ts';
import { configFrom } from '../../src/config/load-config.ts';
import { DiscordEmulator } from '../../test/discord-emulator/discord-emulator.ts';

/** The two settings as the config schema parses them from the environment. */
function settings(environment: Record<string, string>): ShardSettings {
  const config = configFrom({ REDIS_URL: 'redis://127.0.0.1:6379', ROLE: 'gateway', ...environment });
  return { DISCORD_SHARD_COUNT: config.DISCORD_SHARD_COUNT, DISCORD_SHARD_IDS: config.DISCORD_SHARD_IDS };
}

describe('gatewayShardOptions', () => {
  it('gives discord.js no shard options when DISCORD_SHARD_COUNT is unset (one shard, as before)', () => {
    expect(gatewayShardOptions(settings({}))).toEqual({});
    expect(needsRecommendedShardCount(settings({}))).toBe(false);
  });

  it('runs the given ids of the given total', () => {
    expect(gatewayShardOptions(settings({ DISCORD_SHARD_COUNT: '2', DISCORD_SHARD_IDS: '1' }))).toEqual({ shards: [1], shardCount: 2 });
    expect(gatewayShardOptions(settings({ DISCORD_SHARD_COUNT: '8', DISCORD_SHARD_IDS: '0-2,6' }))).toEqual({ shards: [0, 1, 2, 6], shardCount: 8 });
  });

  it('runs every shard of the total when no ids are given', () => {
    expect(gatewayShardOptions(settings({ DISCORD_SHARD_COUNT: '3' }))).toEqual({ shards: [0, 1, 2], shardCount: 3 });
  });

  it('leaves `auto` without ids to discord.js, which asks Discord and runs them all', () => {
    expect(gatewayShardOptions(settings({ DISCORD_SHARD_COUNT: 'auto' }))).toEqual({ shards: 'auto' });
    expect(needsRecommendedShardCount(settings({ DISCORD_SHARD_COUNT: 'auto' }))).toBe(false);
  });

  it('takes the total of `auto` with ids from Discord, and refuses ids beyond it naming the variable', () => {
    const autoWithIds = settings({ DISCORD_SHARD_COUNT: 'auto', DISCORD_SHARD_IDS: '1-2' });
    expect(needsRecommendedShardCount(autoWithIds)).toBe(true);
    expect(gatewayShardOptions(autoWithIds, 4)).toEqual({ shards: [1, 2], shardCount: 4 });
    expect(() => gatewayShardOptions(autoWithIds, 2)).toThrow(/DISCORD_SHARD_IDS: shard 2 is not below 2/);
    expect(() => gatewayShardOptions(autoWithIds)).toThrow(/needs the recommended shard count/);
  });
});

describe('resolveGatewayShardOptions and the shard state of a client', () => {
  let emulator: DiscordEmulator;
  beforeAll(async () => {
    // max_concurrency 4: the two shards of one client identify at once, not 5 s apart.
    emulator = await DiscordEmulator.start({ gatewayBot: { shards: 4, maxConcurrency: 4 } });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('asks GET /gateway/bot for the total of `auto` with ids, and nothing otherwise', async () => {
    const rest = new REST({ api: emulator.apiUrl }).setToken(emulator.token);
    const asked = () => emulator.stats.requests.filter((request) => request.path === '/gateway/bot').length;
    expect(await resolveGatewayShardOptions(settings({ DISCORD_SHARD_COUNT: '2', DISCORD_SHARD_IDS: '0' }), rest)).toEqual({ shards: [0], shardCount: 2 });
    expect(asked()).toBe(0);
    expect(await resolveGatewayShardOptions(settings({ DISCORD_SHARD_COUNT: 'auto', DISCORD_SHARD_IDS: '3' }), rest)).toEqual({ shards: [3], shardCount: 4 });
    expect(asked()).toBe(1);
  });

  it('reports a client connected only once every shard of it is ready, and describes its shards', async () => {
    const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: emulator.apiUrl, cdn: emulator.cdnUrl } });
    try {
      expect(describeShards(client)).toEqual({ shards: [0], shardCount: 1 });
      Object.assign(client.options, gatewayShardOptions(settings({ DISCORD_SHARD_COUNT: '4', DISCORD_SHARD_IDS: '1,3' })));
      expect(describeShards(client)).toEqual({ shards: [1, 3], shardCount: 4 });
      expect(allShardsReady(client)).toBe(false);
      await client.login(emulator.token);
      await emulator.waitFor(() => allShardsReady(client), 20_000, 'both shards ready');
      expect(emulator.gatewayConnections.map((connection) => connection.shard).sort()).toEqual([
        [1, 4],
        [3, 4],
      ]);
      // One shard gone: the client as a whole is still "ready" to discord.js, but not connected.
      const shard = client.ws.shards.get(3);
      if (!shard) throw new Error('no shard 3');
      // As discord.js marks a shard that will not reconnect.
      shard.status = Status.Disconnected;
      expect(client.isReady()).toBe(true);
      expect(allShardsReady(client)).toBe(false);
    } finally {
      await client.destroy();
    }
  }, 30_000);
});
