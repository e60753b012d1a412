/**
 * The Slack platform adapter: `createSlackAdapter(dependencies)`. Only this folder imports
 * @slack/bolt and @slack/web-api. Outbound (`adapter`) works in every process; `startInbound`
 * starts the HTTP or Socket Mode receiver in gateway processes.
 *
 * One workspace (SLACK_BOT_TOKEN) or many (SLACK_CLIENT_ID …: OAuth installs kept encrypted in
 * Redis): `workspaces` decides which token each call uses (slack-workspaces.ts); everything else
 * is the same in both.
 */
import type { WebClient } from '@slack/web-api';
import type { AdapterDependencies, PlatformAdapter } from '../../src/adapter/platform-adapter.ts';
import { commandRegistry } from '../../src/command-core/command-contract.ts';
import { slackMultiWorkspace } from '../../src/config/config-schema.ts';
import { createWebClient, botIdentityLoader, webClientFor } from './web-client.ts';
import { SlackPacing } from './slack-pacing.ts';
import { MessagePoster } from './message-poster.ts';
import { Replies } from './replies.ts';
import { PersonDirectory } from './people.ts';
import { SlackChatAdapter } from './slack-chat-adapter.ts';
import { EventIntake } from './event-intake.ts';
import { CommandIntake } from './command-intake.ts';
import { AskIntake } from './ask-intake.ts';
import type { BoltInbound, BoltOAuth } from './bolt-inbound.ts';
import { SessionLanguages } from '../shared/session-languages.ts';
import { SingleWorkspace, type SlackWorkspaces } from './slack-workspaces.ts';
import { InstalledWorkspaces } from './installed-workspaces.ts';
import { RedisInstallationStore } from './installation-store.ts';
import { InstallationCipher } from './installation-cipher.ts';
import { installationKey } from './oauth-options.ts';
import { TeamSessions } from './team-sessions.ts';
import { UninstallIntake } from './uninstall-intake.ts';

export function createSlackAdapter(dependencies: AdapterDependencies): PlatformAdapter {
  const { config, redis, keys, roundtable, runCommand } = dependencies;
  const logger = dependencies.logger.child({ platform: 'slack' });
  // Twice the session TTL: past it, every session a record serves has expired.
  const recordTtlMs = Math.round(2 * config.SESSION_TTL_HOURS * 3_600_000);
  const teamSessions = new TeamSessions(redis, keys, recordTtlMs);
  let installationStore: RedisInstallationStore | undefined;
  let workspaces: SlackWorkspaces;
  if (slackMultiWorkspace(config)) {
    const store = new RedisInstallationStore(redis, keys, new InstallationCipher(installationKey(config)));
    installationStore = store;
    workspaces = new InstalledWorkspaces({ store, redis, keys, channelTtlMs: recordTtlMs, createClient: (token: string): WebClient => webClientFor(token, config, logger, dependencies.metrics) });
  } else {
    const client = createWebClient(config, logger, dependencies.metrics);
    workspaces = new SingleWorkspace(client, botIdentityLoader(client), config.SLACK_BOT_TOKEN ?? '');
  }
  const pacing = new SlackPacing(dependencies.budget, config, (channel) => workspaces.teamOf(channel));
  const poster = new MessagePoster(workspaces, pacing);
  const replies = new Replies(workspaces, poster, logger);
  const people = new PersonDirectory(workspaces, redis, keys, logger, config.COMMUNITY_MANAGER_ROLE);
  const adapter = new SlackChatAdapter({ config, workspaces, poster, pacing, roundtable, logger, cache: { redis, keys } });
  let inbound: BoltInbound | undefined;

  return {
    adapter,
    startInbound: async () => {
      // Bolt (and its HTTP server) only where events come in: worker processes never load it.
      const { BackgroundTasks, createBoltInbound } = await import('./bolt-inbound.ts');
      const tasks = new BackgroundTasks(logger);
      const registry = commandRegistry(dependencies.commands);
      const languages = new SessionLanguages(roundtable);
      const languageOf = (sessionId: string) => languages.of(sessionId);
      const events = new EventIntake({ registry, roundtable, runCommand, redis, keys, logger, people, replies, workspaces, teamSessions, appId: () => inbound?.appId(), command: config.SLACK_COMMAND, languageOf });
      const commands = new CommandIntake({ registry, workspaces, teamSessions, roundtable, runCommand, people, replies, pacing, logger, command: config.SLACK_COMMAND, languageOf });
      const asks = new AskIntake({ workspaces, roundtable, people, replies, poster, pacing, logger, config });
      const oauth: BoltOAuth | undefined = installationStore && {
        installationStore: announcingInstalls(installationStore, workspaces, logger),
        uninstalls: new UninstallIntake({ store: installationStore, workspaces, teamSessions, roundtable, logger }),
      };
      inbound = createBoltInbound(config, logger, { events, commands, asks, tasks, workspaces, ...(oauth ? { oauth } : {}) });
      await inbound.start();
    },
    /** Stops the HTTP / Socket Mode receiver (and waits for work it already acknowledged). */
    stopIntake: async () => {
      await inbound?.stop();
    },
    /** The Web API clients hold no connection to release. */
    dispose: async () => undefined,
    isConnected: () => inbound?.isConnected() ?? true,
  };
}

/** The store Bolt's OAuth callback writes to: a new install is used at once here, and logged (team only). */
function announcingInstalls(store: RedisInstallationStore, workspaces: SlackWorkspaces, logger: AdapterDependencies['logger']): BoltOAuth['installationStore'] {
  return {
    storeInstallation: async (installation) => {
      await store.storeInstallation(installation);
      const team = installation.team?.id;
      if (team) workspaces.forget(team);
      logger.info({ team, enterprise: installation.enterprise?.id, scopes: installation.bot?.scopes }, 'slack: the app was installed in a workspace');
    },
    fetchInstallation: (query) => store.fetchInstallation(query),
    deleteInstallation: (query) => store.deleteInstallation(query),
  };
}
