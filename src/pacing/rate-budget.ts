/**
 * Rate budgets shared by every process through Redis: a sliding-window log per bucket, checked
 * and reserved atomically in Lua. Used for platform pacing (Discord webhook/channel writes, Slack
 * postMessage/update) and the model provider's requests-per-minute.
 *
 * `reserve` either records the write and returns 0, or records nothing and returns how many ms
 * to wait before the earliest slot frees up. Several limits can be reserved together
 * (all-or-nothing), e.g. "per webhook AND per channel".
 */
import type { Redis } from 'ioredis';
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

// KEYS: bucket keys. ARGV: now, member, then limit/window/offset triples in KEYS order. The
// entry is stamped at now + offset (a hold: see `tryHold`). A key's expiry is only ever extended.
const reserveScript = new RedisScript(`
local now = tonumber(ARGV[1])
local member = ARGV[2]
local wait = 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[i * 3])
  local window = tonumber(ARGV[i * 3 + 1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count >= limit then
    local oldest = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
    local until_free = tonumber(oldest[2]) + window - now
    if until_free < 1 then until_free = 1 end
    if until_free > wait then wait = until_free end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[i * 3 + 1])
  local offset = tonumber(ARGV[i * 3 + 2])
  redis.call('ZADD', key, now + offset, member)
  local keep = window + offset + 1000
  if redis.call('PTTL', key) < keep then redis.call('PEXPIRE', key, keep) end
end
return 0
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

/** How long a hold keeps its slot at most (a stream whose process died frees it after this + the window). */
export const defaultHoldMs = 120_000;

export class RateBudget {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reserves one write in every bucket, or returns the ms to wait (nothing reserved). */
  async tryReserve(limits: readonly RateLimit[]): Promise<number> {
    const active = limits.filter((limit) => limit.limit > 0);
    if (active.length === 0) return 0;
    return this.run(active, randomUUID(), 0);
  }

  private async run(active: readonly RateLimit[], member: string, offsetMs: number): Promise<number> {
    const keys = active.map((limit) => this.keys.budget(limit.bucket));
    const argv: (string | number)[] = [this.now(), member];
    for (const limit of active) argv.push(limit.limit, limit.windowMs, offsetMs);
    const wait = (await reserveScript.run(this.redis, keys, argv)) as number;
    return Math.max(0, Math.ceil(wait));
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
   * Hazard: waiting holds the caller (a job) — keep budgets generous enough for the traffic.
   */
  async reserve(limits: readonly RateLimit[], signal?: AbortSignal): Promise<void> {
    for (;;) {
      const wait = await this.tryReserve(limits);
      if (wait === 0) return;
      signal?.throwIfAborted();
      // A little jitter so that waiting workers do not all retry on the same millisecond.
      // Capped: a held slot may be spent or released well before the wait computed from it.
      await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 1_000) + Math.floor(Math.random() * 15)));
    }
  }
}
