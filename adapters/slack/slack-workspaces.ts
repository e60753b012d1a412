/**
 * Which workspace, which token: every Web API call is made with the token of the workspace its
 * channel belongs to. Two implementations:
 * - `SingleWorkspace`: one SLACK_BOT_TOKEN, one client, the workspace of auth.test — as before
 *   many workspaces existed;
 * - `InstalledWorkspaces` (installed-workspaces.ts): OAuth installs in Redis, a client per
 *   workspace, and a channel → workspace record that every process can read.
 *
 * Contract: `client(team)` is undefined only when the app is not installed in that workspace
 * (uninstalled, or its token revoked). Callers then skip the call quietly — there is nobody
 * left to post to — and report success, so that a session ended because of the uninstall still
 * commits its end with its transcript (uninstall-intake.ts).
 */
import type { WebClient } from '@slack/web-api';
import type { BotIdentity } from './web-client.ts';

export interface SlackWorkspaces {
  /** The workspace (team id) a channel belongs to; throws a TableRoundError when none is known. */
  teamOf(channel: string): Promise<string>;
  /** Records the workspace of a channel an event came from (no-op with one token). */
  remember(channel: string, team: string): Promise<void>;
  /** The workspace's Web API client; undefined when the app is not installed there. */
  client(team: string): Promise<WebClient | undefined>;
  /** The bot's own user and bot ids in the workspace; throws when the app is not installed there. */
  identity(team: string): Promise<BotIdentity>;
  /** The workspace's bot token (url_private downloads); undefined when not installed there. */
  token(team: string): Promise<string | undefined>;
  /** Drops what this process cached about a workspace's installation (removed, or installed anew). */
  forget(team: string): void;
}

/** The client of the workspace a channel belongs to (undefined: the app was removed there). */
export async function clientForChannel(workspaces: SlackWorkspaces, channel: string): Promise<WebClient | undefined> {
  return workspaces.client(await workspaces.teamOf(channel));
}

/** What an outbound call reports when its workspace removed the app: nothing was posted, nothing will be. */
export const uninstalledRef = 'uninstalled';

/** One SLACK_BOT_TOKEN: every channel is the token's workspace. */
export class SingleWorkspace implements SlackWorkspaces {
  constructor(
    private readonly webClient: WebClient,
    private readonly bot: () => Promise<BotIdentity>,
    private readonly botToken: string,
  ) {}

  async teamOf(): Promise<string> {
    return (await this.bot()).teamId;
  }

  async remember(): Promise<void> {}

  async client(): Promise<WebClient> {
    return this.webClient;
  }

  identity(): Promise<BotIdentity> {
    return this.bot();
  }

  async token(): Promise<string> {
    return this.botToken;
  }

  forget(): void {}
}
