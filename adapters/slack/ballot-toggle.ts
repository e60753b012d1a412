/**
 * A person's choices in a poll, as toggled by Block Kit buttons. The core takes whole ballots
 * (`{type: 'ballot', choices}`), Slack sends single clicks: this Redis set turns clicks into the
 * full list atomically (two quick clicks from two devices cannot lose one). Shared by all
 * processes; expires with the session TTL.
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../src/store/keys.ts';

// KEYS[1] set. ARGV: choice, maxChoices, ttlSeconds. Returns {status, ...members}; status 1 = changed,
// 0 = refused because the ballot is full.
const toggleScript = `
local key = KEYS[1]
if redis.call('SISMEMBER', key, ARGV[1]) == 1 then
  redis.call('SREM', key, ARGV[1])
else
  if redis.call('SCARD', key) >= tonumber(ARGV[2]) then
    local members = redis.call('SMEMBERS', key)
    table.insert(members, 1, '0')
    return members
  end
  redis.call('SADD', key, ARGV[1])
end
redis.call('EXPIRE', key, tonumber(ARGV[3]))
local members = redis.call('SMEMBERS', key)
table.insert(members, 1, '1')
return members
`;

export interface ToggleResult {
  changed: boolean;
  choices: number[];
}

export class BallotToggles {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlSeconds: number,
  ) {}

  private key(sessionId: string, pollId: string, personId: string): string {
    return this.keys.cache(`slack:ballot:${sessionId}:${pollId}:${personId}`);
  }

  async toggle(sessionId: string, pollId: string, personId: string, choice: number, maxChoices: number): Promise<ToggleResult> {
    const reply = (await this.redis.eval(toggleScript, 1, this.key(sessionId, pollId, personId), String(choice), String(Math.max(1, maxChoices)), String(this.ttlSeconds))) as string[];
    const [status, ...members] = reply;
    return { changed: status === '1', choices: members.map(Number).sort((a, b) => a - b) };
  }
}
