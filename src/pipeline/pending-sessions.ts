/**
 * The index of sessions that may have pending work: a sorted set, session id → when work was
 * last added or a step last made progress (ms). Writers mark a session *before* the work they
 * add becomes visible (an inbox push, a commit that leaves steps), so a process that dies right
 * after never leaves work unindexed. Only the sweeper removes entries, and only when the score
 * is still the one it read (a concurrent mark wins).
 *
 * Bounded: an entry exists only for a session that had work since the last sweep; sessions
 * without work, and sessions whose keys expired, are removed by the sweeper.
 */
import type { RedisClient } from '../store/redis-connection.ts';
import type { RedisKeys } from '../store/keys.ts';
import { RedisScript } from '../store/redis-script.ts';

// KEYS[1] the set. ARGV: member, the score read. Removes the member only if its score is unchanged.
const removeIfUnchangedScript = new RedisScript(`
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) == tonumber(ARGV[2]) then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0
`);

export class PendingSessions {
  private readonly key: string;

  constructor(
    private readonly redis: RedisClient,
    keys: RedisKeys,
  ) {
    this.key = keys.pendingSessions();
  }

  /** Marks the session as having (or about to have) work, now. */
  async mark(sessionId: string, now = Date.now()): Promise<void> {
    await this.redis.zadd(this.key, now, sessionId);
  }

  /** Moves an existing entry's time to now (it was checked and is fine); never adds one. */
  async refresh(sessionId: string, now = Date.now()): Promise<void> {
    await this.redis.zadd(this.key, 'XX', now, sessionId);
  }

  /** Entries not marked since `before` (ms), oldest first. */
  async due(before: number, limit: number): Promise<{ sessionId: string; score: number }[]> {
    const flat = await this.redis.zrangebyscore(this.key, '-inf', `(${before}`, 'WITHSCORES', 'LIMIT', 0, limit);
    const entries: { sessionId: string; score: number }[] = [];
    for (let index = 0; index + 1 < flat.length; index += 2) entries.push({ sessionId: flat[index]!, score: Number(flat[index + 1]) });
    return entries;
  }

  async removeIfUnchanged(sessionId: string, score: number): Promise<boolean> {
    return (await removeIfUnchangedScript.run(this.redis, [this.key], [sessionId, score])) === 1;
  }

  /** Age (ms) of the oldest entry, 0 when there is none. */
  async oldestAge(now = Date.now()): Promise<number> {
    const [, score] = await this.redis.zrange(this.key, 0, 0, 'WITHSCORES');
    return score === undefined ? 0 : Math.max(0, now - Number(score));
  }

  async size(): Promise<number> {
    return this.redis.zcard(this.key);
  }
}
