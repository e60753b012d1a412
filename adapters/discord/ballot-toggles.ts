/**
 * A person's ballot as built by button clicks: a Redis set per session, poll and person, toggled
 * atomically (two fast clicks never lose one) and capped at the poll's `maxChoices`.
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../src/store/keys.ts';

// KEYS[1] set. ARGV: choice, maxChoices, ttlMs. Returns the new members, or -1 when full.
const toggleScript = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then
  redis.call('SREM', KEYS[1], ARGV[1])
else
  if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
  redis.call('SADD', KEYS[1], ARGV[1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return redis.call('SMEMBERS', KEYS[1])
`;

const ttlMs = 7 * 24 * 3600 * 1000;

export type ToggleResult = { kind: 'ok'; choices: number[] } | { kind: 'full' };

export class BallotToggles {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async toggle(sessionId: string, pollId: string, personId: string, index: number, maxChoices: number): Promise<ToggleResult> {
    const key = this.keys.cache(`discord:ballot:${sessionId}:${pollId}:${personId}`);
    const result = (await this.redis.eval(toggleScript, 1, key, String(index), String(maxChoices), String(ttlMs))) as number | string[];
    if (result === -1) return { kind: 'full' };
    const choices = (Array.isArray(result) ? result : []).map(Number).sort((left, right) => left - right);
    return { kind: 'ok', choices };
  }
}
