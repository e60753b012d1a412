import { afterAll, describe, expect, it } from 'vitest';
import { RateBudget } from './rate-budget.ts';
import { RedisKeys } from '../store/keys.ts';
import { deleteKeys, testRedis, uniqueName } from '../../test/harness/redis.ts';

const redis = testRedis();
const prefix = uniqueName('rb');
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

describe('RateBudget (real Redis)', () => {
  it('allows `limit` writes per window, then says how long to wait', async () => {
    let now = 1_000_000;
    const budget = new RateBudget(redis, new RedisKeys(prefix), () => now);
    const limits = [{ bucket: 'a', limit: 3, windowMs: 2_000 }];
    expect(await budget.tryReserve(limits)).toBe(0);
    now += 10;
    expect(await budget.tryReserve(limits)).toBe(0);
    now += 10;
    expect(await budget.tryReserve(limits)).toBe(0);
    now += 10;
    expect(await budget.tryReserve(limits)).toBe(2_000 - 30);
    now += 1_971;
    expect(await budget.tryReserve(limits)).toBe(0);
  });

  it('reserves all buckets or none', async () => {
    const now = 5_000_000;
    const budget = new RateBudget(redis, new RedisKeys(prefix), () => now);
    const narrow = { bucket: 'narrow', limit: 1, windowMs: 1_000 };
    const wide = { bucket: 'wide', limit: 10, windowMs: 1_000 };
    expect(await budget.tryReserve([narrow, wide])).toBe(0);
    expect(await budget.tryReserve([narrow, wide])).toBeGreaterThan(0);
    // The refused attempt must not have consumed the wide bucket.
    expect(await redis.zcard(new RedisKeys(prefix).budget('wide'))).toBe(1);
  });

  it('shares a budget between two clients (two processes on one Redis)', async () => {
    const other = testRedis();
    const keys = new RedisKeys(prefix);
    const first = new RateBudget(redis, keys);
    const second = new RateBudget(other, keys);
    const limits = [{ bucket: 'shared', limit: 2, windowMs: 60_000 }];
    const results = await Promise.all([first.tryReserve(limits), second.tryReserve(limits), first.tryReserve(limits), second.tryReserve(limits)]);
    expect(results.filter((wait) => wait === 0)).toHaveLength(2);
    other.disconnect();
  });
});
