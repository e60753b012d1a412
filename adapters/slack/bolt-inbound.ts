/**
 * Transport: a Bolt app on an HTTPReceiver (signature verified, stale timestamps refused by Bolt,
 * on SLACK_HOST:SLACK_PORT, path /slack/events for events, commands and interactivity) or a
 * SocketModeReceiver (SLACK_SOCKET_MODE). Listeners only ack and hand over: the work runs in the
 * background, so Slack always gets its answer within 3 s however slow the rest is. The one
 * exception is an Ask modal's empty question, refused in the ack itself (`response_action:
 * "errors"`), so that the modal stays open to be filled in.
 *
 * One SLACK_BOT_TOKEN, or many workspaces: with `oauth` the receiver also serves the install flow
 * (oauth-options.ts) and Bolt authorizes every request with its workspace's installation; every
 * listener passes the workspace on and records it for the channel (slack-workspaces.ts), and
 * `app_uninstalled` / `tokens_revoked` go to the uninstall intake.
 */
import { choiceActionPrefix, formCallbackId } from './choice-blocks.ts';
import { App, HTTPReceiver, SocketModeReceiver, type Receiver, type ViewSubmitAction } from '@slack/bolt';
import type { Config } from '../../src/config/config-schema.ts';
import type { Logger } from '../../src/logging/logger.ts';
import { TableRoundError } from '../../src/errors.ts';
import type { EventIntake } from './event-intake.ts';
import type { CommandIntake } from './command-intake.ts';
import type { AskIntake } from './ask-intake.ts';
import { askActionId, askCallbackId, decodeAskTarget, questionBlockId, questionOf } from './ask-blocks.ts';
import { t } from '../../src/i18n/translate.ts';
import type { SlackMessageEvent } from './event-parse.ts';
import { ballotActionPrefix, closeActionId } from './poll-blocks.ts';
import type { RespondFunction } from './replies.ts';
import { slackApiUrl, slackLoggerFrom, webClientOptions } from './web-client.ts';
import type { InstallationStore } from '@slack/bolt';
import type { SlackWorkspaces } from './slack-workspaces.ts';
import type { RevokedTokens, UninstallIntake } from './uninstall-intake.ts';
import { oauthReceiverOptions, type OAuthReceiverOptions } from './oauth-options.ts';

/** What the receiver needs for many workspaces: where installations live, and who handles removals. */
export interface BoltOAuth {
  installationStore: InstallationStore;
  uninstalls: UninstallIntake;
}

export interface BoltIntakes {
  events: EventIntake;
  commands: CommandIntake;
  asks: AskIntake;
  tasks: BackgroundTasks;
  workspaces: SlackWorkspaces;
  /** Many workspaces (SLACK_CLIENT_ID …); absent with one SLACK_BOT_TOKEN. */
  oauth?: BoltOAuth;
}

export const eventsPath = '/slack/events';

/** Work started after an ack; `drain` waits for it at shutdown. */
export class BackgroundTasks {
  private readonly running = new Set<Promise<void>>();
  constructor(private readonly logger: Logger) {}
  run(label: string, work: () => Promise<void>): void {
    const task = work()
      .catch((error: unknown) => this.logger.error({ err: error, task: label }, 'slack background task failed'))
      .finally(() => this.running.delete(task));
    this.running.add(task);
  }
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}

export interface BoltInbound {
  start(): Promise<void>;
  stop(): Promise<void>;
  isConnected(): boolean;
  /** The app id Slack reports in payloads (to recognise our own app's messages). */
  appId(): string | undefined;
}

export function createBoltInbound(config: Config, logger: Logger, intakes: BoltIntakes): BoltInbound {
  const { events, commands, asks, tasks, workspaces, oauth } = intakes;
  if (!oauth && !config.SLACK_BOT_TOKEN) throw new TableRoundError('config_invalid', 'SLACK_BOT_TOKEN is required for the Slack adapter (or SLACK_CLIENT_ID and the other OAuth settings for many workspaces)');
  const oauthOptions: Partial<OAuthReceiverOptions> = oauth ? oauthReceiverOptions(config, logger, oauth.installationStore) : {};
  const slackLogger = slackLoggerFrom(logger, 'bolt');
  let connected = false;
  let appId: string | undefined;
  let receiver: Receiver;
  if (config.SLACK_SOCKET_MODE) {
    if (!config.SLACK_APP_TOKEN) throw new TableRoundError('config_invalid', 'SLACK_APP_TOKEN (xapp-…) is required when SLACK_SOCKET_MODE is on');
    const socketReceiver = new SocketModeReceiver({
      appToken: config.SLACK_APP_TOKEN,
      logger: slackLogger,
      ...oauthOptions,
      installerOptions: { ...oauthOptions.installerOptions, clientOptions: { ...oauthOptions.installerOptions?.clientOptions, slackApiUrl: slackApiUrl(config) } },
    });
    socketReceiver.client.on('connected', () => {
      connected = true;
    });
    socketReceiver.client.on('disconnected', () => {
      connected = false;
    });
    receiver = socketReceiver;
  } else {
    if (!config.SLACK_SIGNING_SECRET) throw new TableRoundError('config_invalid', 'SLACK_SIGNING_SECRET is required for the Slack HTTP receiver (or set SLACK_SOCKET_MODE=true)');
    receiver = new HTTPReceiver({ signingSecret: config.SLACK_SIGNING_SECRET, endpoints: eventsPath, processBeforeResponse: false, logger: slackLogger, ...oauthOptions });
  }

  // With OAuth, no token: Bolt authorizes each request with its workspace's installation.
  const app = new App({ ...(oauth ? {} : { token: config.SLACK_BOT_TOKEN }), receiver, clientOptions: webClientOptions(config, logger), logger: slackLogger, ignoreSelf: true });
  app.error(async (error) => {
    // A workspace that removed the app may still send a request or two: Bolt cannot authorize it.
    if (oauth && error.code === 'slack_bolt_authorization_error') logger.warn({ err: error }, 'slack: a request from a workspace without an installation was dropped');
    else logger.error({ err: error }, 'slack bolt error');
  });
  /** Runs `work` after the ack, once the channel's workspace is recorded (for workers' outbound calls). */
  const runFor = (label: string, channel: string | undefined, team: string, work: () => Promise<void>) =>
    tasks.run(label, async () => {
      if (channel && team) await workspaces.remember(channel, team);
      await work();
    });

  app.event('app_mention', async ({ event, body, context }) => {
    appId ??= body.api_app_id;
    const team = context.teamId ?? body.team_id;
    runFor('app_mention', event.channel, team, () => events.onMention(event as SlackMessageEvent, body.event_id, team));
  });
  app.event('message', async ({ event, body, context }) => {
    appId ??= body.api_app_id;
    const team = context.teamId ?? body.team_id;
    runFor('message', (event as SlackMessageEvent).channel, team, () => events.onMessage(event as SlackMessageEvent, body.event_id, team));
  });
  app.event('app_uninstalled', async ({ body }) => {
    if (!oauth) return logger.warn('slack: the app was uninstalled from the workspace; SLACK_BOT_TOKEN no longer works');
    tasks.run('app_uninstalled', () => oauth.uninstalls.onRemoved(body.team_id, body.enterprise_id, 'app_uninstalled'));
  });
  app.event('tokens_revoked', async ({ event, body }) => {
    if (!oauth) return logger.warn('slack: tokens of the app were revoked; SLACK_BOT_TOKEN may no longer work');
    tasks.run('tokens_revoked', () => oauth.uninstalls.onTokensRevoked(body.team_id, body.enterprise_id, (event as { tokens?: RevokedTokens }).tokens));
  });
  app.command(config.SLACK_COMMAND, async ({ ack, command, respond, context }) => {
    await ack();
    const team = context.teamId ?? command.team_id;
    runFor('command', command.channel_id, team, () => commands.onSlashCommand(command, respond as RespondFunction, team));
  });
  app.action(new RegExp(`^${ballotActionPrefix}\\d+$`), async ({ ack, action, body, respond, context }) => {
    await ack();
    const value = 'value' in action && typeof action.value === 'string' ? action.value : undefined;
    const channel = 'channel' in body && body.channel ? body.channel.id : '';
    const team = context.teamId ?? '';
    runFor('ballot', channel, team, () => commands.onBallotClick(value, { id: body.user.id, ...('name' in body.user && typeof body.user.name === 'string' ? { name: body.user.name } : {}) }, respond as RespondFunction, channel, team));
  });
  app.action(closeActionId, async ({ ack, action, body, respond, context }) => {
    await ack();
    const value = 'value' in action && typeof action.value === 'string' ? action.value : undefined;
    const channel = 'channel' in body && body.channel ? body.channel.id : '';
    const team = context.teamId ?? '';
    runFor('close', channel, team, () => commands.onCloseClick(value, { id: body.user.id }, respond as RespondFunction, channel, team));
  });

  app.action(new RegExp(`^${choiceActionPrefix}\\d+$`), async ({ ack, action, body, respond, context }) => {
    await ack();
    const value = 'value' in action && typeof action.value === 'string' ? action.value : undefined;
    const channel = 'channel' in body && body.channel ? body.channel.id : '';
    const teamId = 'team' in body && body.team ? body.team.id : undefined;
    const user = { id: body.user.id, ...('name' in body.user && typeof body.user.name === 'string' ? { name: body.user.name } : {}) };
    const triggerId = 'trigger_id' in body && typeof body.trigger_id === 'string' ? body.trigger_id : undefined;
    runFor('choice', channel, context.teamId ?? teamId ?? '', () => commands.onChoiceClick(value, user, respond as RespondFunction, channel, teamId, triggerId));
  });
  app.view<ViewSubmitAction>(formCallbackId, async ({ ack, view, body }) => {
    await ack();
    tasks.run('form', () => commands.onFormSubmit(view, { id: body.user.id, name: body.user.name }, body.team?.id));
  });
  app.action(askActionId, async ({ ack, action, body, respond, context }) => {
    await ack();
    const value = 'value' in action && typeof action.value === 'string' ? action.value : undefined;
    const channel = 'channel' in body && body.channel ? body.channel.id : '';
    const triggerId = 'trigger_id' in body && typeof body.trigger_id === 'string' ? body.trigger_id : '';
    const user = { id: body.user.id, ...('name' in body.user && typeof body.user.name === 'string' ? { name: body.user.name } : {}) };
    const team = context.teamId ?? '';
    runFor('ask', channel, team, () => asks.onAskClick(value, user, triggerId, channel, respond as RespondFunction, team));
  });
  app.view<ViewSubmitAction>(askCallbackId, async ({ ack, view, body, context }) => {
    if (!questionOf(view)) {
      const language = decodeAskTarget(view.private_metadata)?.language;
      await ack({ response_action: 'errors', errors: { [questionBlockId]: t(language, 'ask.emptyQuestion') } });
      return;
    }
    await ack();
    tasks.run('question', () => asks.onQuestion(view, { id: body.user.id, name: body.user.name }, context.teamId ?? body.team?.id ?? ''));
  });

  return {
    start: async () => {
      if (config.SLACK_SOCKET_MODE) await app.start();
      else {
        await app.start({ port: config.SLACK_PORT, host: config.SLACK_HOST });
        connected = true;
      }
      logger.info({ socketMode: config.SLACK_SOCKET_MODE, host: config.SLACK_HOST, port: config.SLACK_PORT, command: config.SLACK_COMMAND }, 'slack inbound started');
    },
    stop: async () => {
      connected = false;
      await app.stop();
      await tasks.drain();
    },
    isConnected: () => connected,
    appId: () => appId,
  };
}
