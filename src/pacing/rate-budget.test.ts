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

  it('a hold takes its slot from everyone until it is spent, then counts at the moment of the write', async () => {
    let now = 9_000_000;
    const keys = new RedisKeys(prefix);
    const budget = new RateBudget(redis, keys, () => now);
    const limits = [{ bucket: 'held', limit: 2, windowMs: 1_000 }];
    const token = await budget.tryHold(limits, 60_000);
    expect(token).toBeDefined();
    expect(await budget.tryReserve(limits)).toBe(0);
    // Two in the window: the hold and one write. Long after the window, the hold still counts.
    expect(await budget.tryReserve(limits)).toBeGreaterThan(0);
    now += 5_000;
    expect(await budget.tryReserve(limits)).toBe(0);
    expect(await budget.tryReserve(limits)).toBeGreaterThan(0);
    // Spent now: it counts from now for one window, then frees.
    await budget.spendHold(limits, token!);
    expect(await budget.tryHold(limits)).toBeUndefined();
    now += 1_001;
    expect(await budget.tryReserve(limits)).toBe(0);
    expect(await budget.tryReserve(limits)).toBe(0);
    expect(await budget.tryReserve(limits)).toBeGreaterThan(0);
  });

  it('a released hold frees its slot; a lapsed hold is paid for like a reservation', async () => {
    let now = 12_000_000;
    const budget = new RateBudget(redis, new RedisKeys(prefix), () => now);
    const limits = [{ bucket: 'released', limit: 1, windowMs: 1_000 }];
    const token = await budget.tryHold(limits, 2_000);
    expect(await budget.tryReserve(limits)).toBeGreaterThan(0);
    await budget.releaseHold(limits, token!);
    expect(await budget.tryReserve(limits)).toBe(0);
    const lapsing = await budget.tryHold([{ bucket: 'lapsing', limit: 1, windowMs: 1_000 }], 500);
    now += 2_000;
    // The hold's entry is gone (stamped now - 1.5 s): spending it takes a fresh slot.
    await budget.spendHold([{ bucket: 'lapsing', limit: 1, windowMs: 1_000 }], lapsing!);
    expect(await budget.tryReserve([{ bucket: 'lapsing', limit: 1, windowMs: 1_000 }])).toBeGreaterThan(0);
  });

  it('a reservation never shortens the life of a hold', async () => {
    const keys = new RedisKeys(prefix);
    const budget = new RateBudget(redis, keys);
    const limits = [{ bucket: 'ttl', limit: 5, windowMs: 1_000 }];
    await budget.tryHold(limits, 60_000);
    await budget.tryReserve(limits);
    expect(await redis.pttl(keys.budget('ttl'))).toBeGreaterThan(60_000);
  });
});
