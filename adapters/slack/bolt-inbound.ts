/**
 * Transport: a Bolt app on an HTTPReceiver (signature verified, stale timestamps refused by Bolt,
 * on SLACK_HOST:SLACK_PORT, path /slack/events for events, commands and interactivity) or a
 * SocketModeReceiver (SLACK_SOCKET_MODE). Listeners only ack and hand over: the work runs in the
 * background, so Slack always gets its answer within 3 s however slow the rest is. The one
 * exception is an Ask modal's empty question, refused in the ack itself (`response_action:
 * "errors"`), so that the modal stays open to be filled in.
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

export function createBoltInbound(config: Config, logger: Logger, events: EventIntake, commands: CommandIntake, asks: AskIntake, tasks: BackgroundTasks): BoltInbound {
  if (!config.SLACK_BOT_TOKEN) throw new TableRoundError('config_invalid', 'SLACK_BOT_TOKEN is required for the Slack adapter');
  const slackLogger = slackLoggerFrom(logger, 'bolt');
  let connected = false;
  let appId: string | undefined;
  let receiver: Receiver;
  if (config.SLACK_SOCKET_MODE) {
    if (!config.SLACK_APP_TOKEN) throw new TableRoundError('config_invalid', 'SLACK_APP_TOKEN (xapp-…) is required when SLACK_SOCKET_MODE is on');
    const socketReceiver = new SocketModeReceiver({ appToken: config.SLACK_APP_TOKEN, logger: slackLogger, installerOptions: { clientOptions: { slackApiUrl: slackApiUrl(config) } } });
    socketReceiver.client.on('connected', () => {
      connected = true;
    });
    socketReceiver.client.on('disconnected', () => {
      connected = false;
    });
    receiver = socketReceiver;
  } else {
    if (!config.SLACK_SIGNING_SECRET) throw new TableRoundError('config_invalid', 'SLACK_SIGNING_SECRET is required for the Slack HTTP receiver (or set SLACK_SOCKET_MODE=true)');
    receiver = new HTTPReceiver({ signingSecret: config.SLACK_SIGNING_SECRET, endpoints: eventsPath, processBeforeResponse: false, logger: slackLogger });
  }

  const app = new App({ token: config.SLACK_BOT_TOKEN, receiver, clientOptions: webClientOptions(config, logger), logger: slackLogger, ignoreSelf: true });
  app.error(async (error) => {
    logger.error({ err: error }, 'slack bolt error');
  });

  app.event('app_mention', async ({ event, body }) => {
    appId ??= body.api_app_id;
    tasks.run('app_mention', () => events.onMention(event as SlackMessageEvent, body.event_id));
  });
  app.event('message', async ({ event, body }) => {
    appId ??= body.api_app_id;
    tasks.run('message', () => events.onMessage(event as SlackMessageEvent, body.event_id));
  });
  app.command(config.SLACK_COMMAND, async ({ ack, command, respond }) => {
    await ack();
    tasks.run('command', () => commands.onSlashCommand(command, respond as RespondFunction));
  });
  app.action(new RegExp(`^${ballotActionPrefix}\\d+$`), async ({ ack, action, body, respond }) => {
    await ack();
    const value = 'value' in action && typeof action.value === 'string' ? action.value : undefined;
    const channel = 'channel' in body && body.channel ? body.channel.id : '';
    tasks.run('ballot', () => commands.onBallotClick(value, { id: body.user.id, ...('name' in body.user && typeof body.user.name === 'string' ? { name: body.user.name } : {}) }, respond as RespondFunction, channel));
  });
  app.action(closeActionId, async ({ ack, action, body, respond }) => {
    await ack();
    const value = 'value' in action && typeof action.value === 'string' ? action.value : undefined;
    const channel = 'channel' in body && body.channel ? body.channel.id : '';
    tasks.run('close', () => commands.onCloseClick(value, { id: body.user.id }, respond as RespondFunction, channel));
  });

  app.action(new RegExp(`^${choiceActionPrefix}\\d+$`), async ({ ack, action, body, respond }) => {
    await ack();
    const value = 'value' in action && typeof action.value === 'string' ? action.value : undefined;
    const channel = 'channel' in body && body.channel ? body.channel.id : '';
    const teamId = 'team' in body && body.team ? body.team.id : undefined;
    const user = { id: body.user.id, ...('name' in body.user && typeof body.user.name === 'string' ? { name: body.user.name } : {}) };
    const triggerId = 'trigger_id' in body && typeof body.trigger_id === 'string' ? body.trigger_id : undefined;
    tasks.run('choice', () => commands.onChoiceClick(value, user, respond as RespondFunction, channel, teamId, triggerId));
  });
  app.view<ViewSubmitAction>(formCallbackId, async ({ ack, view, body }) => {
    await ack();
    tasks.run('form', () => commands.onFormSubmit(view, { id: body.user.id, name: body.user.name }, body.team?.id));
  });
  app.action(askActionId, async ({ ack, action, body, respond }) => {
    await ack();
    const value = 'value' in action && typeof action.value === 'string' ? action.value : undefined;
    const channel = 'channel' in body && body.channel ? body.channel.id : '';
    const triggerId = 'trigger_id' in body && typeof body.trigger_id === 'string' ? body.trigger_id : '';
    const user = { id: body.user.id, ...('name' in body.user && typeof body.user.name === 'string' ? { name: body.user.name } : {}) };
    tasks.run('ask', () => asks.onAskClick(value, user, triggerId, channel, respond as RespondFunction));
  });
  app.view<ViewSubmitAction>(askCallbackId, async ({ ack, view, body }) => {
    if (!questionOf(view)) {
      const language = decodeAskTarget(view.private_metadata)?.language;
      await ack({ response_action: 'errors', errors: { [questionBlockId]: t(language, 'ask.emptyQuestion') } });
      return;
    }
    await ack();
    tasks.run('question', () => asks.onQuestion(view, { id: body.user.id, name: body.user.name }));
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
