/**
 * A workspace removed the app: `app_uninstalled`, or `tokens_revoked` naming the bot user (its
 * token no longer works). The workspace's installation is deleted, this process forgets its
 * client, and every session started there (team-sessions.ts) is ended as `/end` ends one — the
 * closing summary and the transcript are written and the session's record committed — on the
 * bot's behalf (`RoundtableService.endSession`).
 *
 * Nothing is posted into the workspace: with its installation gone, every outbound call for its
 * channels is skipped and reported done (slack-workspaces.ts), so the closing step never fails for
 * a post nobody can receive. Slack sends both events on an uninstall: the end is requested under
 * one event id per workspace, which each session's inbox takes once.
 */
import type { Person } from '../../src/adapter/inbound-event.ts';
import type { RoundtableService } from '../../src/engine/roundtable-service.ts';
import type { Logger } from '../../src/logging/logger.ts';
import type { RedisInstallationStore } from './installation-store.ts';
import type { SlackWorkspaces } from './slack-workspaces.ts';
import type { TeamSessions } from './team-sessions.ts';

/** Who ends the sessions of a workspace that removed the app (the record's "ended by"). */
export const workspaceRemoval: Person = { id: 'tableround:slack-app-removed', displayName: 'Slack (the app was removed from the workspace)', isManager: true };

/** The `tokens_revoked` event's `tokens`: user ids by kind of token (Slack's Events API reference). */
export interface RevokedTokens {
  oauth?: string[];
  bot?: string[];
}

export interface UninstallIntakeDependencies {
  store: Pick<RedisInstallationStore, 'deleteInstallation'>;
  workspaces: SlackWorkspaces;
  teamSessions: TeamSessions;
  roundtable: Pick<RoundtableService, 'endSession'>;
  logger: Logger;
}

export class UninstallIntake {
  constructor(private readonly dependencies: UninstallIntakeDependencies) {}

  /** `tokens_revoked`: only a revoked bot token ends the installation (user tokens are not used). */
  async onTokensRevoked(team: string, enterpriseId: string | undefined, tokens: RevokedTokens | undefined): Promise<void> {
    if (!tokens?.bot?.length) return;
    await this.onRemoved(team, enterpriseId, 'tokens_revoked');
  }

  /** `app_uninstalled`, or the bot token revoked. Idempotent. */
  async onRemoved(team: string, enterpriseId: string | undefined, reason: 'app_uninstalled' | 'tokens_revoked'): Promise<void> {
    const { store, workspaces, teamSessions, roundtable, logger } = this.dependencies;
    await store.deleteInstallation({ teamId: team, enterpriseId, isEnterpriseInstall: false });
    workspaces.forget(team);
    const sessions = await teamSessions.list(team);
    let ended = 0;
    let failed = 0;
    for (const sessionId of sessions) {
      try {
        if (await roundtable.endSession?.(sessionId, workspaceRemoval, `slack-app-removed:${team}`)) ended += 1;
      } catch (error) {
        failed += 1;
        logger.warn({ err: error, sessionId, team }, 'slack: could not end a session of a workspace that removed the app');
      }
    }
    // Kept while any end failed: the second event of the pair (or Slack's retry) tries again.
    if (failed === 0) await teamSessions.clear(team);
    logger.info({ team, reason, sessions: sessions.length, ended }, 'slack: the app was removed from a workspace; its installation is deleted and its sessions are ending');
  }
}
