/**
 * Many workspaces (OAuth installs): the token of each comes from its installation in Redis
 * (installation-store.ts), and which workspace a channel belongs to from a record written by the
 * gateway whenever an event, command or click comes from that channel:
 * `{prefix}:slack-channel-team:{channel}` → team id, with a TTL of twice SESSION_TTL_HOURS,
 * refreshed by every event and every read (GETEX) — so a worker (no Bolt, no events) finds the
 * workspace of any live session's channel, and the records of channels nobody uses expire.
 *
 * In process, a workspace's client is kept `installationCacheMs` and a channel's workspace
 * `channelCacheMs`: an uninstall handled by another process is seen here within
 * `installationCacheMs` (until then a call fails with Slack's `token_revoked` and its step is
 * retried). One client per workspace token, reused while the token is the same.
 *
 * Hazard: Slack Connect channels are shared by two workspaces under one id; with the app installed
 * in both, the workspace last heard from in that channel is the one whose token posts there.
 */
import type { RedisClient } from '../../src/store/redis-connection.ts';
import type { WebClient } from '@slack/web-api';
import type { RedisKeys } from '../../src/store/keys.ts';
import { TableRoundError } from '../../src/errors.ts';
import type { RedisInstallationStore } from './installation-store.ts';
import type { SlackWorkspaces } from './slack-workspaces.ts';
import type { BotIdentity } from './web-client.ts';

/** How long this process trusts an installation it read (ms). */
export const installationCacheMs = 10_000;
/** How long this process trusts a channel's workspace it read or wrote (ms). */
export const channelCacheMs = 60_000;
/** Bounds each in-process map. */
const bounded = 10_000;

interface InstalledClient {
  token: string;
  client: WebClient;
  identity: BotIdentity;
  /** Until when (ms) this is trusted without reading Redis again. */
  until: number;
}

export interface InstalledWorkspacesOptions {
  store: Pick<RedisInstallationStore, 'find'>;
  redis: RedisClient;
  keys: RedisKeys;
  /** A channel record's TTL (ms): twice the session TTL. */
  channelTtlMs: number;
  /** A Web API client for a bot token (web-client.ts, with its timeouts, retries and 429 counting). */
  createClient(token: string): WebClient;
}

export class InstalledWorkspaces implements SlackWorkspaces {
  private readonly installed = new Map<string, InstalledClient | { gone: true; until: number }>();
  private readonly channels = new Map<string, { team: string; until: number }>();

  constructor(private readonly options: InstalledWorkspacesOptions) {}

  private channelKey(channel: string): string {
    return this.options.keys.slackChannelTeam(channel);
  }

  async teamOf(channel: string): Promise<string> {
    const known = this.channels.get(channel);
    if (known && known.until > Date.now()) return known.team;
    const team = await this.options.redis.getex(this.channelKey(channel), 'PX', this.options.channelTtlMs);
    if (!team) throw new TableRoundError('platform_failed', `no Slack workspace is known for channel ${channel}`);
    this.cacheChannel(channel, team);
    return team;
  }

  async remember(channel: string, team: string): Promise<void> {
    const known = this.channels.get(channel);
    // Written at most once a cache period per channel; the TTL is refreshed by reads as well.
    if (known?.team === team && known.until > Date.now()) return;
    await this.options.redis.set(this.channelKey(channel), team, 'PX', this.options.channelTtlMs);
    this.cacheChannel(channel, team);
  }

  async client(team: string): Promise<WebClient | undefined> {
    const installed = await this.load(team);
    return installed?.client;
  }

  async identity(team: string): Promise<BotIdentity> {
    const installed = await this.load(team);
    if (!installed) throw new TableRoundError('platform_failed', `the Slack app is not installed in workspace ${team}`);
    return installed.identity;
  }

  async token(team: string): Promise<string | undefined> {
    return (await this.load(team))?.token;
  }

  forget(team: string): void {
    this.installed.delete(team);
  }

  private async load(team: string): Promise<InstalledClient | undefined> {
    const cached = this.installed.get(team);
    if (cached && cached.until > Date.now()) return 'gone' in cached ? undefined : cached;
    const installation = await this.options.store.find({ teamId: team, enterpriseId: undefined, isEnterpriseInstall: false });
    const until = Date.now() + installationCacheMs;
    if (this.installed.size >= bounded) this.installed.clear();
    const bot = installation?.bot;
    if (!bot?.token) {
      this.installed.set(team, { gone: true, until });
      return undefined;
    }
    const previous = cached && !('gone' in cached) && cached.token === bot.token ? cached.client : undefined;
    const loaded: InstalledClient = { token: bot.token, client: previous ?? this.options.createClient(bot.token), identity: { teamId: team, userId: bot.userId, botId: bot.id }, until };
    this.installed.set(team, loaded);
    return loaded;
  }

  private cacheChannel(channel: string, team: string): void {
    if (this.channels.size >= bounded) this.channels.clear();
    this.channels.set(channel, { team, until: Date.now() + channelCacheMs });
  }
}
