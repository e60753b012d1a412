/**
 * Slack user id → `Person` (display name, and `isManager` = workspace admin or owner, who may end
 * any session; `managesCommunity` = an admin or owner, or a member of the user group
 * COMMUNITY_MANAGER_ROLE, who manage the workspace's panels and channel settings). users.info is
 * Tier 4, usergroups.users.list Tier 2; answers are cached in Redis for all processes.
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
    /** A user group (subteam id) whose members manage panels and settings (COMMUNITY_MANAGER_ROLE). */
    private readonly managerGroup?: string,
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
      // Workspace admins and owners manage sessions and the workspace's panels and channel settings;
      // so do the members of the manager user group, when one is configured.
      const admin = Boolean(user?.is_admin || user?.is_owner || user?.is_primary_owner);
      const inGroup = !admin && this.managerGroup ? (await this.groupMembers(this.managerGroup)).includes(userId) : false;
      const person: Person = {
        id: userId,
        displayName: user?.profile?.display_name || user?.real_name || user?.name || fallbackName || userId,
        isManager: admin,
        ...(admin || inGroup ? { managesCommunity: true } : {}),
        ...(inGroup ? { roles: [this.managerGroup!] } : {}),
      };
      await this.redis.set(key, JSON.stringify(person), 'EX', personCacheSeconds).catch(() => undefined);
      return person;
    } catch (error) {
      this.logger.warn({ err: error, userId }, 'slack users.info failed');
      return { id: userId, displayName: fallbackName ?? userId, isManager: false };
    }
  }

  /** The group's member ids (cached like people); none when Slack cannot say (the person then has no group rights). */
  private async groupMembers(group: string): Promise<string[]> {
    const key = this.keys.cache(`slack:usergroup:${group}`);
    const cached = await this.redis.get(key).catch(() => null);
    if (cached) return JSON.parse(cached) as string[];
    try {
      const { users } = await this.client.usergroups.users.list({ usergroup: group });
      const members = users ?? [];
      await this.redis.set(key, JSON.stringify(members), 'EX', personCacheSeconds).catch(() => undefined);
      return members;
    } catch (error) {
      this.logger.warn({ err: error, group }, 'slack usergroups.users.list failed (is the usergroups:read scope granted?)');
      return [];
    }
  }
}

