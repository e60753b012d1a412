import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisClient } from '../../src/store/redis-connection.ts';
import { deleteKeys, testRedis, uniqueName } from '../../test/harness/redis.ts';
import { RedisKeys } from '../../src/store/keys.ts';
import { RateBudget } from '../../src/pacing/rate-budget.ts';
import { configFrom } from '../../src/config/load-config.ts';
import { DiscordPacing, handOffLagMs, type WriteTarget } from './discord-pacing.ts';

/** Discord's hidden per-channel webhook limit (platform-limits.md): 30 per 60 s. */
const discordChannelLimit = 30;

describe('DiscordPacing', () => {
  let redis: RedisClient;
  let prefix: string;
  beforeAll(() => {
    redis = testRedis();
    prefix = uniqueName('pacing');
  });
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  it("keeps Discord's channel windows within the limit however long discord.js holds a paced write", async () => {
    const config = configFrom({ DISCORD_WEBHOOK_WRITES: 4, DISCORD_WEBHOOK_WINDOW_MS: 2_000, DISCORD_CHANNEL_WRITES: 25, DISCORD_CHANNEL_WINDOW_MS: 60_000 });
    let clock = 1_000_000;
    const budget = new RateBudget(redis, new RedisKeys(prefix), () => clock);
    const pacing = new DiscordPacing(budget, config);
    const target: WriteTarget = { kind: 'webhook', webhookId: 'w1', parentId: 'c1' };
    // A channel that always has something to post: write whenever the pacing allows, for 5 minutes.
    const handedOff: number[] = [];
    while (clock < 1_300_000) {
      const wait = await budget.tryReserve(pacing.limitsFor(target));
      if (wait === 0) handedOff.push(clock);
      else clock += wait;
    }
    // A write handed off at t reaches Discord somewhere in [t, t + lag]. Discord's window of
    // arrivals [a, a + 60 s) can therefore hold every write handed off in [a - lag, a + 60 s).
    const lag = handOffLagMs(config);
    const worst = Math.max(...handedOff.map((start) => handedOff.filter((time) => time >= start && time < start + config.DISCORD_CHANNEL_WINDOW_MS + lag).length));
    expect(handedOff.length).toBeGreaterThan(100);
    expect(worst).toBeLessThanOrEqual(config.DISCORD_CHANNEL_WRITES);
    expect(worst).toBeLessThan(discordChannelLimit);
  });
});
