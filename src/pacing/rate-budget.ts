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

// KEYS: bucket keys. ARGV: now, member, then limit/window pairs in KEYS order.
const reserveScript = new RedisScript(`
local now = tonumber(ARGV[1])
local member = ARGV[2]
local wait = 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[1 + i * 2])
  local window = tonumber(ARGV[2 + i * 2])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count >= limit then
    local oldest = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
    local until_free = tonumber(oldest[2]) + window - now
    if until_free > wait then wait = until_free end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[2 + i * 2])
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, window + 1000)
end
return 0
`);

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
    const keys = active.map((limit) => this.keys.budget(limit.bucket));
    const argv: (string | number)[] = [this.now(), randomUUID()];
    for (const limit of active) argv.push(limit.limit, limit.windowMs);
    const wait = (await reserveScript.run(this.redis, keys, argv)) as number;
    return Math.max(0, Math.ceil(wait));
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
      await new Promise((resolve) => setTimeout(resolve, wait + Math.floor(Math.random() * 15)));
    }
  }
}
