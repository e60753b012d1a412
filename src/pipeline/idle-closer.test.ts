/**
 * The idle closer's protocol on a real Redis: which indexed sessions it closes (and with what),
 * which it leaves, how the index stays bounded, the TTL it gives a session it closes, and that a
 * pass is one worker's at a time. The whole close through the pipeline is test/engine/idle-close.test.ts.
 */
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { deleteKeys, testRedis, uniqueName } from '../../test/harness/redis.ts';
import { idleEndHours } from '../config/config-schema.ts';
import { configFrom } from '../config/load-config.ts';
import { createLogger } from '../logging/logger.ts';
import type { SessionMeta } from '../session/session-types.ts';
import { RedisKeys } from '../store/keys.ts';
import { SessionStore } from '../store/session-store.ts';
import { activityIndexKey, IdleCloser, idleCheckIntervalMs, idleCloser, isIdleCloser, markEveryMs, type SubmitEnd } from './idle-closer.ts';

const redis = testRedis();
const logger = createLogger('silent');
const ttlHours = 1;
const ttlMs = ttlHours * 3_600_000;
const idleMs = 60_000;
let keys: RedisKeys;
let store: SessionStore;
let index: string;
const prefixes: string[] = [];

function sessionMeta(sessionId: string, fields: Partial<SessionMeta> = {}): SessionMeta {
  return {
    sessionId, topic: 'A lamp', panelId: 'design-workshop', stage: 'paused', round: 1, autoRounds: 1, status: 'active',
    starter: { id: 'u1', displayName: 'Ana' }, createdAt: 1, updatedAt: 1, seq: 5, epoch: 0, revivals: 0, agenda: [], roleMap: {},
    rollingSummary: '', summarisedThrough: 0, replyCursor: 0, votedKeywords: [], pollCount: 0, tokensPrompt: 0, tokensCompletion: 0, modelCalls: 0,
    ...fields,
  };
}

function closerWith(submitEnd: SubmitEnd, options: { idleMs?: number } = {}): IdleCloser {
  return new IdleCloser(redis, keys, store, submitEnd, { idleMs: options.idleMs ?? idleMs, intervalMs: 1_000, ttlMs }, logger);
}

/** A session last active `agoMs` before `now`, indexed at `indexedAgoMs` before it. */
async function session(name: string, now: number, agoMs: number, fields: Partial<SessionMeta> = {}, indexedAgoMs = agoMs): Promise<string> {
  const sessionId = `terminal:c:${name}`;
  await store.create(sessionMeta(sessionId, { updatedAt: now - agoMs, createdAt: now - agoMs - 1_000, ...fields }));
  await redis.zadd(index, now - indexedAgoMs, sessionId);
  return sessionId;
}

const releaseLease = () => redis.del(`${keys.prefix}:idle-closer`);

beforeEach(() => {
  keys = new RedisKeys(uniqueName('idle'));
  prefixes.push(`${keys.prefix}:`);
  store = new SessionStore(redis, keys, ttlHours);
  index = activityIndexKey(keys);
});

afterAll(async () => {
  await deleteKeys(redis, ...prefixes);
  redis.disconnect();
});

describe('the idle closer', () => {
  it('ends a session idle past IDLE_END_HOURS through `end`, as the bot, naming the updatedAt it was idle since', async () => {
    const now = Date.now();
    const sessionId = await session('idle', now, idleMs + 5_000);
    const submitEnd = vi.fn<SubmitEnd>(async () => undefined);
    expect(await closerWith(submitEnd).pass(now)).toBe(1);
    const idleSince = now - idleMs - 5_000;
    expect(submitEnd).toHaveBeenCalledExactlyOnceWith(sessionId, idleCloser, { idleSince }, `idle-close:${idleSince}`);
    expect(isIdleCloser(idleCloser)).toBe(true);
    expect(isIdleCloser({ id: 'u1' })).toBe(false);
  });

  it('gives every key of the session it closes a whole TTL, so the close can finish before any expires', async () => {
    const now = Date.now();
    const sessionId = await session('ttl', now, idleMs + 5_000);
    // Keys written by commits long ago, close to expiring.
    await redis.multi().rpush(store.key('transcript', sessionId), '{}').pexpire(store.key('transcript', sessionId), 2_000).hset(store.key('notes', sessionId), 'a', 'b').pexpire(store.key('notes', sessionId), 2_000).pexpire(store.key('meta', sessionId), 2_000).exec();
    await closerWith(async () => undefined).pass(now);
    for (const type of ['meta', 'transcript', 'notes'] as const) expect(await redis.pttl(store.key(type, sessionId))).toBeGreaterThan(ttlMs - 60_000);
  });

  it('leaves a session that was active since it was indexed, and looks again idleMs after its last commit', async () => {
    const now = Date.now();
    // Indexed long ago, but a step committed 10 s ago (the index only says "at or before").
    const sessionId = await session('active', now, 10_000, {}, idleMs + 5_000);
    const submitEnd = vi.fn<SubmitEnd>(async () => undefined);
    expect(await closerWith(submitEnd).pass(now)).toBe(0);
    expect(submitEnd).not.toHaveBeenCalled();
    expect(Number(await redis.zscore(index, sessionId))).toBe(now - 10_000);
  });

  it('leaves a session whose inbox holds work (a message or command not yet taken), and looks again later', async () => {
    const now = Date.now();
    const sessionId = await session('busy', now, idleMs + 5_000);
    await redis.rpush(store.key('inbox', sessionId), '{}');
    const submitEnd = vi.fn<SubmitEnd>(async () => undefined);
    expect(await closerWith(submitEnd).pass(now)).toBe(0);
    expect(submitEnd).not.toHaveBeenCalled();
    expect(Number(await redis.zscore(index, sessionId))).toBe(now);
  });

  it('never closes an ended session again, and drops ended and expired sessions from the index', async () => {
    const now = Date.now();
    const ended = await session('ended', now, idleMs + 5_000, { status: 'ended', stage: 'ended' });
    await redis.zadd(index, now - idleMs - 5_000, 'terminal:c:expired');
    const submitEnd = vi.fn<SubmitEnd>(async () => undefined);
    expect(await closerWith(submitEnd).pass(now)).toBe(0);
    expect(submitEnd).not.toHaveBeenCalled();
    expect(await redis.zscore(index, ended)).toBeNull();
    expect(await redis.zscore(index, 'terminal:c:expired')).toBeNull();
  });

  it('leaves a session to the next pass when the worker fails before its `end` was taken', async () => {
    const now = Date.now();
    const sessionId = await session('retry', now, idleMs + 5_000);
    const submitEnd = vi.fn<SubmitEnd>().mockRejectedValueOnce(new Error('worker went away')).mockResolvedValue(undefined);
    const closer = closerWith(submitEnd);
    expect(await closer.pass(now)).toBe(0);
    expect(await redis.zscore(index, sessionId)).not.toBeNull();
    await releaseLease();
    expect(await closer.pass(now + 1)).toBe(1);
    expect(submitEnd).toHaveBeenCalledTimes(2);
    // Both attempts name the same event: the inbox takes it once, whichever got through.
    expect(submitEnd.mock.calls[0]?.[3]).toBe(submitEnd.mock.calls[1]?.[3]);
  });

  it('lets one worker at a time look: two closers passing together ask once', async () => {
    const now = Date.now();
    await session('two', now, idleMs + 5_000);
    const submitEnd = vi.fn<SubmitEnd>(async () => undefined);
    const passes = await Promise.all([closerWith(submitEnd).pass(now), closerWith(submitEnd).pass(now)]);
    expect(passes.sort()).toEqual([0, 1]);
    expect(submitEnd).toHaveBeenCalledTimes(1);
  });

  it('indexes activity in a sorted set that expires twice the TTL after its last write (no scan of sessions)', async () => {
    const closer = closerWith(async () => undefined);
    await closer.markActive('terminal:c:a', 1_000);
    await closer.markActive('terminal:c:a', 1_000 + markEveryMs);
    expect(await redis.zrange(index, 0, -1, 'WITHSCORES')).toEqual(['terminal:c:a', String(1_000 + markEveryMs)]);
    expect(await redis.pttl(index)).toBeGreaterThan(2 * ttlMs - 60_000);
  });

  it('writes a running session’s mark at most once a minute (an older mark is still “at or before” its activity)', async () => {
    const closer = closerWith(async () => undefined);
    await closer.markActive('terminal:c:busy', 10_000);
    await closer.markActive('terminal:c:busy', 10_000 + markEveryMs - 1);
    expect(await redis.zscore(index, 'terminal:c:busy')).toBe('10000');
    await closer.markActive('terminal:c:busy', 10_000 + markEveryMs);
    expect(await redis.zscore(index, 'terminal:c:busy')).toBe(String(10_000 + markEveryMs));
  });

  it('does nothing when IDLE_END_HOURS is 0', async () => {
    const now = Date.now();
    await session('off', now, 10 * idleMs);
    const submitEnd = vi.fn<SubmitEnd>(async () => undefined);
    const closer = closerWith(submitEnd, { idleMs: 0 });
    await closer.markActive('terminal:c:other', now);
    expect(await closer.pass(now)).toBe(0);
    expect(submitEnd).not.toHaveBeenCalled();
    expect(await redis.zscore(index, 'terminal:c:other')).toBeNull();
  });
});

describe('IDLE_END_HOURS', () => {
  it('must be below SESSION_TTL_HOURS: a session is closed, with its transcript, before its memory can expire', () => {
    expect(() => configFrom({ IDLE_END_HOURS: 24, SESSION_TTL_HOURS: 24 })).toThrow(/IDLE_END_HOURS: must be below SESSION_TTL_HOURS \(24\)/);
    expect(() => configFrom({ IDLE_END_HOURS: 30 })).toThrow(/IDLE_END_HOURS/);
    expect(configFrom({ IDLE_END_HOURS: 23.5 }).IDLE_END_HOURS).toBe(23.5);
    expect(configFrom({ IDLE_END_HOURS: 0 }).IDLE_END_HOURS).toBe(0);
  });

  it('defaults to 12 hours, or half the TTL when that is shorter; checks run every twentieth of it, 100 ms to a minute', () => {
    expect(idleEndHours(configFrom({}))).toBe(12);
    expect(idleEndHours(configFrom({ SESSION_TTL_HOURS: 6 }))).toBe(3);
    expect(idleCheckIntervalMs(12 * 3_600_000)).toBe(60_000);
    expect(idleCheckIntervalMs(1_800)).toBe(100);
    expect(idleCheckIntervalMs(200_000)).toBe(10_000);
  });
});
