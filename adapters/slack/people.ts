/**
 * Slack user id → `Person` (display name, and `isManager` = workspace admin or owner, who may end
 * any session; `managesCommunity` = an admin or owner, or a member of the user group
 * COMMUNITY_MANAGER_ROLE, who manage the workspace's panels and channel settings). users.info is
 * Tier 4, usergroups.users.list Tier 2; answers are cached in Redis for all processes, per
 * workspace (an admin of one workspace is not one of another), asked with that workspace's token.
 */
import type { RedisClient } from '../../src/store/redis-connection.ts';
import type { Person } from '../../src/adapter/inbound-event.ts';
import type { RedisKeys } from '../../src/store/keys.ts';
import type { Logger } from '../../src/logging/logger.ts';
import type { SlackWorkspaces } from './slack-workspaces.ts';

/** How long a looked-up person is trusted (s). Short: admin rights can be revoked. */
export const personCacheSeconds = 300;

export class PersonDirectory {
  private readonly pending = new Map<string, Promise<Person>>();

  constructor(
    private readonly workspaces: SlackWorkspaces,
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly logger: Logger,
    /** A user group (subteam id) whose members manage panels and settings (COMMUNITY_MANAGER_ROLE). */
    private readonly managerGroup?: string,
  ) {}

  /** Never throws: on failure the person is known by id only, without manager rights. */
  lookup(team: string, userId: string, fallbackName?: string): Promise<Person> {
    const id = `${team}:${userId}`;
    let pending = this.pending.get(id);
    if (!pending) {
      pending = this.load(team, userId, fallbackName).finally(() => this.pending.delete(id));
      this.pending.set(id, pending);
    }
    return pending;
  }

  private async load(team: string, userId: string, fallbackName: string | undefined): Promise<Person> {
    const key = this.keys.cache(`slack:person:${team}:${userId}`);
    const cached = await this.redis.get(key).catch(() => null);
    if (cached) return JSON.parse(cached) as Person;
    try {
      const client = await this.workspaces.client(team);
      if (!client) throw new Error(`the app is not installed in workspace ${team}`);
      const { user } = await client.users.info({ user: userId });
      // Workspace admins and owners manage sessions and the workspace's panels and channel settings;
      // so do the members of the manager user group, when one is configured.
      const admin = Boolean(user?.is_admin || user?.is_owner || user?.is_primary_owner);
      const inGroup = !admin && this.managerGroup ? (await this.groupMembers(team, this.managerGroup)).includes(userId) : false;
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
  private async groupMembers(team: string, group: string): Promise<string[]> {
    const key = this.keys.cache(`slack:usergroup:${team}:${group}`);
    const cached = await this.redis.get(key).catch(() => null);
    if (cached) return JSON.parse(cached) as string[];
    try {
      const client = await this.workspaces.client(team);
      if (!client) return [];
      const { users } = await client.usergroups.users.list({ usergroup: group });
      const members = users ?? [];
      await this.redis.set(key, JSON.stringify(members), 'EX', personCacheSeconds).catch(() => undefined);
      return members;
    } catch (error) {
      this.logger.warn({ err: error, group }, 'slack usergroups.users.list failed (is the usergroups:read scope granted?)');
      return [];
    }
  }
}

