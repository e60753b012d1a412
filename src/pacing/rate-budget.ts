/**
 * Rate budgets shared by every process through Redis: a sliding-window log per bucket, checked
 * and reserved atomically in Lua. Used for platform pacing (Discord webhook/channel writes, Slack
 * postMessage/update) and the model provider's requests-per-minute.
 *
 * `tryReserve` either records the write and returns 0, or records nothing and returns how many ms
 * to wait before the earliest slot frees up; `reserve` waits for a slot, first come first served.
 * Several limits can be reserved together (all-or-nothing), e.g. "per webhook AND per channel".
 */
import type { RedisClient } from '../store/redis-connection.ts';
import { randomUUID } from 'node:crypto';
import type { RedisKeys } from '../store/keys.ts';
import { RedisScript } from '../store/redis-script.ts';

export interface RateLimit {
  /** Bucket name, e.g. `discord:webhook:123`. */
  bucket: string;
  /** Writes allowed per window. */
  limit: number;
  windowMs: number;
}

// KEYS: the bucket keys, then each bucket's waiter queue (zset: member → when it began to wait)
// and its last-seen hash (member → when it last asked), in KEYS order. ARGV: now, member, when the
// caller began to wait (now for one that does not wait), how long a silent waiter keeps its
// place, whether the caller waits (1: a refused caller joins the queues), then
// limit/window/offset triples in bucket order. The entry is stamped at now + offset (a hold: see
// `tryHold`). Returns 0 (reserved) or the ms to wait. A key's expiry is only ever extended.
const reserveScript = new RedisScript(`
local now = tonumber(ARGV[1])
local member = ARGV[2]
local since = tonumber(ARGV[3])
local stale = tonumber(ARGV[4])
local waits = ARGV[5] == '1'
local n = #KEYS / 3
local wait = 0
local blocked = {}
local behindAny = false
for i = 1, n do
  local key = KEYS[i]
  local queue = KEYS[n + i]
  local seen = KEYS[2 * n + i]
  local limit = tonumber(ARGV[3 + i * 3])
  local window = tonumber(ARGV[4 + i * 3])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  -- The oldest waiter still asking goes first; waiters that stopped asking (their process died)
  -- lose their place.
  local behind = false
  while true do
    local head = redis.call('ZRANGE', queue, 0, 0, 'WITHSCORES')
    if #head == 0 or head[1] == member then break end
    if tonumber(redis.call('HGET', seen, head[1]) or '0') < now - stale then
      redis.call('ZREM', queue, head[1])
      redis.call('HDEL', seen, head[1])
    else
      -- Ordered by (since, member), as the queue is: a strict order, so two waiters of equal
      -- since never wait for each other across two buckets.
      local headSince = tonumber(head[2])
      behind = headSince < since or (headSince == since and head[1] < member)
      break
    end
  end
  local count = redis.call('ZCARD', key)
  local full = count >= limit
  if full then
    local oldest = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
    local until_free = tonumber(oldest[2]) + window - now
    if until_free < 1 then until_free = 1 end
    if until_free > wait then wait = until_free end
  end
  blocked[i] = full or behind
  if behind then behindAny = true end
end
if wait == 0 and not behindAny then
  for i = 1, n do
    local window = tonumber(ARGV[4 + i * 3])
    local offset = tonumber(ARGV[5 + i * 3])
    redis.call('ZADD', KEYS[i], now + offset, member)
    local keep = window + offset + 1000
    if redis.call('PTTL', KEYS[i]) < keep then redis.call('PEXPIRE', KEYS[i], keep) end
    if waits then
      redis.call('ZREM', KEYS[n + i], member)
      redis.call('HDEL', KEYS[2 * n + i], member)
    end
  end
  return 0
end
-- A waiter queues only where it is blocked: a bucket with room is not held up by a waiter that
-- waits for another bucket. Leaving and joining again keeps its place (the queue is ordered by
-- when it began to wait).
if waits then
  for i = 1, n do
    if blocked[i] then
      redis.call('ZADD', KEYS[n + i], 'NX', since, member)
      redis.call('HSET', KEYS[2 * n + i], member, now)
      redis.call('PEXPIRE', KEYS[n + i], stale * 4)
      redis.call('PEXPIRE', KEYS[2 * n + i], stale * 4)
    else
      redis.call('ZREM', KEYS[n + i], member)
      redis.call('HDEL', KEYS[2 * n + i], member)
    end
  end
end
if wait == 0 then return -1 end
return wait
`);

// KEYS: bucket keys. ARGV: now, member. Re-stamps a held entry to now where it still exists;
// returns the 1-based indexes of the keys where it no longer does.
const spendScript = new RedisScript(`
local now = tonumber(ARGV[1])
local missing = {}
for i, key in ipairs(KEYS) do
  if redis.call('ZSCORE', key, ARGV[2]) then
    redis.call('ZADD', key, 'XX', now, ARGV[2])
  else
    table.insert(missing, i)
  end
end
return missing
`);

/** A waiter that has not asked for this long (ms) loses its place in the queue. */
const staleWaiterMs = 5_000;
/** How soon a waiter behind an older one asks again when a slot is free (ms). */
const waiterPollMs = 20;

/** A bucket's waiter queue (member → when it began to wait) and when each waiter last asked. */
const waiterKeys = (bucketKey: string) => ({ queue: `${bucketKey}:waiting`, asked: `${bucketKey}:asked` });

/** Resolves after `ms`, or at once when `signal` aborts or has (the caller's next check throws). */
function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** How long a hold keeps its slot at most (a stream whose process died frees it after this + the window). */
export const defaultHoldMs = 120_000;

export class RateBudget {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reserves one write in every bucket, or returns the ms to wait (nothing reserved). */
  async tryReserve(limits: readonly RateLimit[]): Promise<number> {
    const active = limits.filter((limit) => limit.limit > 0);
    if (active.length === 0) return 0;
    const wait = await this.run(active, randomUUID(), 0);
    return wait < 0 ? waiterPollMs : wait;
  }

  private async run(active: readonly RateLimit[], member: string, offsetMs: number, waiting?: { since: number }): Promise<number> {
    const buckets = active.map((limit) => this.keys.budget(limit.bucket));
    const waiters = buckets.map(waiterKeys);
    const keys = [...buckets, ...waiters.map((waiter) => waiter.queue), ...waiters.map((waiter) => waiter.asked)];
    const now = this.now();
    const argv: (string | number)[] = [now, member, waiting?.since ?? now, staleWaiterMs, waiting ? 1 : 0];
    for (const limit of active) argv.push(limit.limit, limit.windowMs, offsetMs);
    const wait = (await reserveScript.run(this.redis, keys, argv)) as number;
    // -1: a slot is free but an older waiter comes first.
    return wait < 0 ? -1 : Math.max(0, Math.ceil(wait));
  }

  /**
   * Holds one slot in every bucket for a write that will happen later (a stream's final write),
   * if there is room now; returns the hold's token, or undefined (nothing held). Until it is
   * spent, the held slot counts in every window, so others can never take it; spending re-stamps
   * it at the moment of the write, which is when the platform counts it.
   */
  async tryHold(limits: readonly RateLimit[], holdMs = defaultHoldMs): Promise<string | undefined> {
    const active = limits.filter((limit) => limit.limit > 0);
    const token = `hold:${randomUUID()}`;
    if (active.length === 0) return token;
    return (await this.run(active, token, holdMs)) === 0 ? token : undefined;
  }

  /** Spends a hold now: the write happens. Where the hold has lapsed, waits for a slot as `reserve` does. */
  async spendHold(limits: readonly RateLimit[], token: string, signal?: AbortSignal): Promise<void> {
    const active = limits.filter((limit) => limit.limit > 0);
    if (active.length === 0) return;
    const keys = active.map((limit) => this.keys.budget(limit.bucket));
    const missing = (await spendScript.run(this.redis, keys, [this.now(), token])) as number[];
    if (missing.length > 0) await this.reserve(missing.map((index) => active[index - 1]!), signal);
  }

  /** Gives a hold back unspent. */
  async releaseHold(limits: readonly RateLimit[], token: string): Promise<void> {
    for (const limit of limits) await this.redis.zrem(this.keys.budget(limit.bucket), token);
  }

  /**
   * Waits until a write fits every bucket, then reserves it. `signal` aborts the wait.
   * Fair: a caller that has to wait joins each bucket's queue, and a free slot goes to the
   * longest-waiting caller still asking — under contention (many sessions, one workspace) no
   * session starves while later arrivals take every slot that frees. A waiter that stops asking
   * for `staleWaiterMs` (its process died) loses its place.
   * Hazard: waiting holds the caller (a job) — keep budgets generous enough for the traffic.
   */
  async reserve(limits: readonly RateLimit[], signal?: AbortSignal): Promise<void> {
    const active = limits.filter((limit) => limit.limit > 0);
    if (active.length === 0) return;
    const member = randomUUID();
    const waiting = { since: this.now() };
    try {
      for (;;) {
        // A caller cut off (before it asked, or while it slept) takes no slot.
        signal?.throwIfAborted();
        const wait = await this.run(active, member, 0, waiting);
        if (wait === 0) return;
        // Capped: a held slot may be spent or released well before the wait computed from it,
        // and a waiter must ask again within `staleWaiterMs` to keep its place. A little jitter
        // so that waiting workers do not all ask on the same millisecond.
        const sleepMs = wait < 0 ? waiterPollMs : Math.min(wait, 1_000);
        await abortableSleep(sleepMs + Math.floor(Math.random() * 15), signal);
      }
    } catch (error) {
      await this.leaveQueues(active, member).catch(() => undefined);
      throw error;
    }
  }

  /** Takes a waiter that gives up out of the queues at once (otherwise it would hold its place until stale). */
  private async leaveQueues(active: readonly RateLimit[], member: string): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const limit of active) {
      const { queue, asked } = waiterKeys(this.keys.budget(limit.bucket));
      pipeline.zrem(queue, member).hdel(asked, member);
    }
    await pipeline.exec();
  }
}
