/**
 * Slack user id → `Person` (display name, and `isManager` = workspace admin or owner, who may end
 * any session). users.info is Tier 4; answers are cached in Redis for all processes.
 */
import type { Redis } from 'ioredis';
import type { WebClient } from '@slack/web-api';
import type { Person } from '../../src/adapter/inbound-event.ts';
import type { RedisKeys } from '../../src/store/keys.ts';
import type { Logger } from '../../src/logging/logger.ts';

/** How long a looked-up person is trusted (s). Short: admin rights can be revoked. */
export const personCacheSeconds = 300;

export class PersonDirectory {
  private readonly pending = new Map<string, Promise<Person>>();

  constructor(
    private readonly client: WebClient,
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly logger: Logger,
  ) {}

  /** Never throws: on failure the person is known by id only, without manager rights. */
  lookup(userId: string, fallbackName?: string): Promise<Person> {
    let pending = this.pending.get(userId);
    if (!pending) {
      pending = this.load(userId, fallbackName).finally(() => this.pending.delete(userId));
      this.pending.set(userId, pending);
    }
    return pending;
  }

  private async load(userId: string, fallbackName: string | undefined): Promise<Person> {
    const key = this.keys.cache(`slack:person:${userId}`);
    const cached = await this.redis.get(key).catch(() => null);
    if (cached) return JSON.parse(cached) as Person;
    try {
      const { user } = await this.client.users.info({ user: userId });
      // Workspace admins and owners manage sessions and the workspace's panels and channel settings.
      const admin = Boolean(user?.is_admin || user?.is_owner || user?.is_primary_owner);
      const person: Person = {
        id: userId,
        displayName: user?.profile?.display_name || user?.real_name || user?.name || fallbackName || userId,
        isManager: admin,
        ...(admin ? { managesCommunity: true } : {}),
      };
      await this.redis.set(key, JSON.stringify(person), 'EX', personCacheSeconds).catch(() => undefined);
      return person;
    } catch (error) {
      this.logger.warn({ err: error, userId }, 'slack users.info failed');
      return { id: userId, displayName: fallbackName ?? userId, isManager: false };
    }
  }
}

