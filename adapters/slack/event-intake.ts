/**
 * Events API intake: `app_mention` starts a session in the mention's thread (or, inside a live
 * session thread, runs `@TableRound vote` etc. or passes the text on); a person's `message` in a
 * live session thread is submitted without a mention. Events API retries act once: a message to
 * the panel through the session inbox, which dedupes by event_id in the same script that writes
 * it; anything else (a start, a command, help) through a claim on the event_id that a failure a
 * retry can fix releases (adapters/shared/inbound-claim.ts) — a Redis blip never turns Slack's
 * retry into a "duplicate".
 */
import type { RedisClient } from '../../src/store/redis-connection.ts';
import type { AdapterDependencies } from '../../src/adapter/platform-adapter.ts';
import type { Logger } from '../../src/logging/logger.ts';
import type { RedisKeys } from '../../src/store/keys.ts';
import { buildSessionId, type SessionAddress } from '../../src/session/session-id.ts';
import { asTableRoundError } from '../../src/errors.ts';
import { describeForPerson } from '../../src/engine/describe-error.ts';
import { t } from '../../src/i18n/translate.ts';
import type { RoundtableService } from '../../src/engine/roundtable-service.ts';
import { parsePersonMessage, type ParsedPersonMessage, type SlackMessageEvent } from './event-parse.ts';
import { parseCommandText, helpText, type ParsedCommandText } from './command-text.ts';
import type { CommandRegistry } from '../../src/command-core/command-contract.ts';
import { handleOnce, redeliveryMayFix, type Handling } from '../shared/inbound-claim.ts';
import type { PersonDirectory } from './people.ts';
import type { Replies, ReplyTarget } from './replies.ts';
import type { SlackWorkspaces } from './slack-workspaces.ts';
import type { TeamSessions } from './team-sessions.ts';

export interface EventIntakeDependencies {
  /** The command registry (what can be typed, and how). */
  registry: CommandRegistry;
  roundtable: RoundtableService;
  runCommand: AdapterDependencies['runCommand'];
  redis: RedisClient;
  keys: RedisKeys;
  logger: Logger;
  people: PersonDirectory;
  replies: Replies;
  /** The bot's identity in the event's workspace (slack-workspaces.ts). */
  workspaces: SlackWorkspaces;
  /** Where a started session is recorded under its workspace (ended if the workspace removes the app). */
  teamSessions: TeamSessions;
  appId: () => string | undefined;
  command: string;
  /** The session's language, for answers to people (never throws; undefined means English). */
  languageOf: (sessionId: string) => Promise<string | undefined>;
}

/** How long a handled event_id stays claimed (seconds): past Slack's last retry, 5 minutes after the first delivery. */
const handledSeconds = 3_600;

export class EventIntake {
  constructor(private readonly dependencies: EventIntakeDependencies) {}

  private async parse(event: SlackMessageEvent, team: string): Promise<ParsedPersonMessage | undefined> {
    const bot = await this.dependencies.workspaces.identity(team);
    const appId = this.dependencies.appId();
    return parsePersonMessage(event, { userId: bot.userId, ...(appId ? { appId } : {}) });
  }

  private async liveSession(channel: string, threadTs: string | undefined): Promise<string | undefined> {
    if (!threadTs) return undefined;
    const sessionId = buildSessionId({ platform: 'slack', channel, thread: threadTs });
    const status = await this.dependencies.roundtable.status(sessionId);
    return status && !status.ended ? sessionId : undefined;
  }

  /** `app_mention` from workspace `team`. */
  async onMention(event: SlackMessageEvent, eventId: string | undefined, team: string): Promise<void> {
    const message = await this.parse(event, team);
    if (!message) return;
    const target: ReplyTarget = { channel: message.channel, user: message.user, threadTs: message.threadTs ?? message.ts };
    const sessionId = await this.liveSession(message.channel, message.threadTs);
    const parsed = parseCommandText(this.dependencies.registry, message.text);
    const isHelp = parsed.kind === 'help' && message.images.length === 0;
    const isCommand = parsed.kind === 'command' && parsed.name !== 'start';
    // A mention inside a live session is a message to the panel: the inbox dedupes it.
    if (sessionId && !isHelp && !isCommand) return this.submitMessage(sessionId, message, eventId, target, team);
    const answer = () => this.answerMention(message, parsed, sessionId, target, team);
    if (!eventId) {
      await answer();
      return;
    }
    await handleOnce(this.dependencies.redis, this.dependencies.keys.inboundSeen('slack', eventId), handledSeconds, answer);
  }

  /** Help, a command, or a new session; `retry` when a start failed in a way Slack's retry can get past. */
  private async answerMention(message: ParsedPersonMessage, parsed: ParsedCommandText, sessionId: string | undefined, target: ReplyTarget, team: string): Promise<Handling> {
    const person = await this.dependencies.people.lookup(team, message.user);
    const community = (await this.dependencies.workspaces.identity(team)).teamId;
    if (parsed.kind === 'help' && message.images.length === 0) {
      await this.dependencies.replies.ephemeral(target, helpText(this.dependencies.registry, this.dependencies.command), { mrkdwn: true });
      return 'handled';
    }
    if (parsed.kind === 'command' && parsed.name !== 'start') {
      const address: SessionAddress = { platform: 'slack', channel: message.channel, thread: message.threadTs ?? message.ts, community };
      const commandSession = sessionId ?? (message.threadTs ? undefined : await this.dependencies.roundtable.recentSessionFor('slack', message.channel, message.user));
      // A file shared with the mention is the command's attachment option, if it has one (a character card).
      const attachment = this.dependencies.registry.get(parsed.name)?.options.find((option) => option.type === 'attachment');
      const file = message.files[0];
      const options = attachment && file ? { ...parsed.options, [attachment.name]: JSON.stringify(file) } : parsed.options;
      const reply = await this.dependencies.runCommand({ name: parsed.name, options, person, address, sessionId: commandSession });
      await this.dependencies.replies.commandReply(target, reply, commandSession);
      return 'handled';
    }
    const topic = parsed.kind === 'command' ? String(parsed.options.topic ?? '') : message.text;
    if (!topic.trim()) {
      await this.dependencies.replies.ephemeral(target, helpText(this.dependencies.registry, this.dependencies.command), { mrkdwn: true });
      return 'handled';
    }
    try {
      const options = parsed.kind === 'command' ? parsed.options : {};
      const started = await this.dependencies.roundtable.start({
        address: { platform: 'slack', channel: message.channel, thread: message.threadTs ?? message.ts, community },
        person,
        topic: topic.trim(),
        ...(typeof options.panel === 'string' ? { panel: options.panel } : {}),
        // Parsed options are text (`rounds:2`): the roundtable checks the number.
        ...(options.rounds === undefined || options.rounds === '' ? {} : { rounds: Number(options.rounds) }),
        ...(typeof options.preset === 'string' ? { preset: options.preset } : {}),
        images: message.images,
      });
      await this.dependencies.teamSessions.add(community, started.sessionId).catch((error: unknown) => this.dependencies.logger.warn({ err: error, sessionId: started.sessionId }, 'slack: could not index the session under its workspace'));
      return 'handled';
    } catch (error) {
      const failure = asTableRoundError(error);
      this.dependencies.logger.warn({ err: failure, channel: message.channel }, 'slack session start refused');
      await this.dependencies.replies.ephemeral(target, failure.code === 'internal' ? t(undefined, 'answer.startFailed') : describeForPerson(failure));
      return redeliveryMayFix(error) ? 'retry' : 'handled';
    }
  }

  /** `message` (any subtype; filtered here) from workspace `team`. */
  async onMessage(event: SlackMessageEvent, eventId: string | undefined, team: string): Promise<void> {
    const message = await this.parse(event, team);
    // Mentions arrive as app_mention too and are handled there.
    if (!message || message.mentionsBot || !message.threadTs) return;
    const sessionId = await this.liveSession(message.channel, message.threadTs);
    if (!sessionId) return;
    // Not claimed here: the inbox dedupes by event_id (see the top of this file).
    await this.submitMessage(sessionId, message, eventId, { channel: message.channel, user: message.user, threadTs: message.threadTs }, team);
  }

  private async submitMessage(sessionId: string, message: ParsedPersonMessage, eventId: string | undefined, target: ReplyTarget, team: string): Promise<void> {
    if (!message.text && message.images.length === 0) return;
    const person = await this.dependencies.people.lookup(team, message.user);
    try {
      await this.dependencies.roundtable.submit(sessionId, person, { type: 'message', text: message.text, images: message.images, messageId: message.ts }, eventId ?? `slack:${message.channel}:${message.ts}`);
    } catch (error) {
      const failure = asTableRoundError(error);
      if (failure.code === 'session_missing' || failure.code === 'session_ended') return;
      this.dependencies.logger.warn({ err: failure, sessionId }, 'slack message refused');
      await this.dependencies.replies.ephemeral(target, describeForPerson(failure, await this.dependencies.languageOf(sessionId)));
    }
  }
}
