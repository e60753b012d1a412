import { afterAll, describe, expect, it } from 'vitest';
import { RateBudget } from './rate-budget.ts';
import { RedisKeys } from '../store/keys.ts';
import { deleteKeys, testRedis, uniqueName } from '../../test/harness/redis.ts';

const redis = testRedis();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
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

  it('first come, first served: a free slot goes to the caller that has waited longest, not to one that asks more often', async () => {
    const keys = new RedisKeys(prefix);
    const budget = new RateBudget(redis, keys);
    const limits = [{ bucket: 'fair', limit: 1, windowMs: 200 }];
    expect(await budget.tryReserve(limits)).toBe(0);
    let waiterAt = 0;
    const waiter = budget.reserve(limits).then(() => (waiterAt = Date.now()));
    await sleep(30);
    // A later caller that asks every 2 ms.
    let greedyAt = 0;
    const until = Date.now() + 1_500;
    while (Date.now() < until && (await budget.tryReserve(limits)) !== 0) await sleep(2);
    greedyAt = Date.now();
    await waiter;
    expect(waiterAt).toBeGreaterThan(0);
    expect(waiterAt).toBeLessThan(greedyAt);
    // The greedy caller got the slot after the waiter's: one window later.
    expect(greedyAt - waiterAt).toBeGreaterThanOrEqual(150);
    expect(await redis.exists(`${keys.budget('fair')}:waiting`, `${keys.budget('fair')}:asked`)).toBe(0);
  });

  it('a waiter that gives up leaves the queue at once; one that stopped asking (its process died) loses its place', async () => {
    let now = 20_000_000;
    const keys = new RedisKeys(prefix);
    const budget = new RateBudget(redis, keys, () => now);
    const limits = [{ bucket: 'leaving', limit: 1, windowMs: 1_000 }];
    expect(await budget.tryReserve(limits)).toBe(0);
    const abort = new AbortController();
    const waiting = budget.reserve(limits, abort.signal);
    await sleep(30);
    expect(await redis.zcard(`${keys.budget('leaving')}:waiting`)).toBe(1);
    abort.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    expect(await redis.zcard(`${keys.budget('leaving')}:waiting`)).toBe(0);

    // A waiter of a process that died: queued, last asked 6 s ago.
    await redis.zadd(`${keys.budget('leaving')}:waiting`, now - 100, 'dead-waiter');
    await redis.hset(`${keys.budget('leaving')}:asked`, 'dead-waiter', now - 6_000);
    now += 1_001;
    expect(await budget.tryReserve(limits)).toBe(0);
    expect(await redis.zcard(`${keys.budget('leaving')}:waiting`)).toBe(0);
  });

  it('a fresh waiter keeps its place against callers that only take a slot if it is free now', async () => {
    let now = 30_000_000;
    const keys = new RedisKeys(prefix);
    const budget = new RateBudget(redis, keys, () => now);
    const limits = [{ bucket: 'queued', limit: 1, windowMs: 1_000 }];
    await redis.zadd(`${keys.budget('queued')}:waiting`, now - 100, 'waiter');
    await redis.hset(`${keys.budget('queued')}:asked`, 'waiter', now - 50);
    expect(await budget.tryReserve(limits)).toBeGreaterThan(0);
    expect(await budget.tryHold(limits)).toBeUndefined();
    now += 10;
    expect(await redis.zcard(keys.budget('queued'))).toBe(0);
  });

  it('a waiter held up by one bucket does not hold up another bucket it also needs', async () => {
    const keys = new RedisKeys(prefix);
    const budget = new RateBudget(redis, keys);
    const channel = { bucket: 'hol-channel', limit: 1, windowMs: 300 };
    const workspace = { bucket: 'hol-workspace', limit: 5, windowMs: 300 };
    expect(await budget.tryReserve([channel])).toBe(0);
    const waiting = budget.reserve([channel, workspace]);
    await sleep(30);
    // The workspace has room: another channel's post is not kept waiting behind this one.
    expect(await budget.tryReserve([{ bucket: 'hol-other-channel', limit: 1, windowMs: 300 }, workspace])).toBe(0);
    await waiting;
  });
});
