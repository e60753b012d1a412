/**
 * The sessions started in each workspace, so that an uninstall can end them
 * (uninstall-intake.ts): a sorted set per workspace, session id → start time (ms), under
 * `{prefix}:slack-team-sessions:{team}`. Bounded: the newest `maxSessions` are kept and the
 * key expires `ttlMs` after the last start (the sessions it lists have expired by then). One key
 * per command: safe on a Redis Cluster.
 */
import type { RedisClient } from '../../src/store/redis-connection.ts';
import type { RedisKeys } from '../../src/store/keys.ts';

/** Sessions remembered per workspace (the newest). */
export const maxSessionsPerTeam = 1_000;

export class TeamSessions {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly ttlMs: number,
    private readonly maxSessions = maxSessionsPerTeam,
  ) {}

  private key(team: string): string {
    return this.keys.slackTeamSessions(team);
  }

  /** Records a session started in the workspace. */
  async add(team: string, sessionId: string, now = Date.now()): Promise<void> {
    const key = this.key(team);
    await this.redis
      .multi()
      .zadd(key, now, sessionId)
      .zremrangebyrank(key, 0, -(this.maxSessions + 1))
      .pexpire(key, this.ttlMs)
      .exec();
  }

  /** The workspace's sessions, oldest first. */
  list(team: string): Promise<string[]> {
    return this.redis.zrange(this.key(team), 0, -1);
  }

  /** Forgets the workspace's sessions (after they were ended). */
  async clear(team: string): Promise<void> {
    await this.redis.del(this.key(team));
  }
}
