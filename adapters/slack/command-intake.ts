/**
 * The one top-level slash command (SLACK_COMMAND, default `/roundtable`) with subcommands, and the
 * poll's Block Kit buttons. Callers ack first (within 3 s, always); these run afterwards.
 * Slash commands cannot be typed in threads, so a command in the channel acts on the person's
 * most recently active session there; `start` opens a new thread with a top-level message.
 */
import type { WebClient } from '@slack/web-api';
import type { AdapterDependencies } from '../../src/adapter/platform-adapter.ts';
import type { RoundtableService } from '../../src/engine/roundtable-service.ts';
import type { Logger } from '../../src/logging/logger.ts';
import { parseSessionId, type SessionAddress } from '../../src/session/session-id.ts';
import { asTableRoundError } from '../../src/errors.ts';
import { describeForPerson } from '../../src/engine/describe-error.ts';
import { parseCommandText, helpText } from './command-text.ts';
import type { CommandRegistry } from '../../src/command-core/command-contract.ts';
import type { PersonDirectory } from './people.ts';
import type { Replies, RespondFunction, ReplyTarget } from './replies.ts';
import { decodeButtonValue } from './poll-blocks.ts';
import type { SlackPacing } from './slack-pacing.ts';
import { plainForMrkdwn } from './mrkdwn.ts';
import { decodeChoiceValue, decodeFormTarget, formValues, formView } from './choice-blocks.ts';
import { threadOf } from './message-poster.ts';
import type { SlackWorkspaces } from './slack-workspaces.ts';
import type { TeamSessions } from './team-sessions.ts';

export interface SlashCommandPayload {
  channel_id: string;
  user_id: string;
  user_name?: string;
  text: string;
  /** The workspace (every slash command payload carries it). */
  team_id?: string;
}

export interface CommandIntakeDependencies {
  /** The command registry (what can be typed, and how). */
  registry: CommandRegistry;
  /** Each workspace's client (slack-workspaces.ts). */
  workspaces: SlackWorkspaces;
  /** Where a started session is recorded under its workspace (ended if the workspace removes the app). */
  teamSessions: TeamSessions;
  roundtable: RoundtableService;
  runCommand: AdapterDependencies['runCommand'];
  people: PersonDirectory;
  replies: Replies;
  pacing: SlackPacing;
  logger: Logger;
  command: string;
  /** The session's language, for answers to people (never throws; undefined means English). */
  languageOf: (sessionId: string) => Promise<string | undefined>;
}

export class CommandIntake {
  constructor(private readonly dependencies: CommandIntakeDependencies) {}

  /** A slash command from workspace `team`. */
  async onSlashCommand(payload: SlashCommandPayload, respond: RespondFunction, team: string): Promise<void> {
    const target: ReplyTarget = { channel: payload.channel_id, user: payload.user_id, respond };
    const parsed = parseCommandText(this.dependencies.registry, payload.text);
    if (parsed.kind === 'help') return this.dependencies.replies.ephemeral(target, helpText(this.dependencies.registry, this.dependencies.command), { mrkdwn: true });
    if (parsed.kind === 'unknown') {
      return this.dependencies.replies.ephemeral(target, `Unknown subcommand “${plainForMrkdwn(parsed.word)}”.\n${helpText(this.dependencies.registry, this.dependencies.command)}`, { mrkdwn: true });
    }
    const person = await this.dependencies.people.lookup(team, payload.user_id, payload.user_name);
    if (parsed.name === 'start') return this.start(payload, parsed.options, target, team);

    const sessionId = await this.dependencies.roundtable.recentSessionFor('slack', payload.channel_id, payload.user_id);
    const address: SessionAddress = { ...(sessionId ? parseSessionId(sessionId) : { platform: 'slack' as const, channel: payload.channel_id, thread: '' }), ...communityOfPayload(payload) };
    const reply = await this.dependencies.runCommand({ name: parsed.name, options: parsed.options, person, address, sessionId });
    await this.dependencies.replies.commandReply(target, reply, sessionId);
  }

  /** `start`: the thread needs a parent, so the moderator posts one in the channel first. */
  private async start(payload: SlashCommandPayload, options: Record<string, unknown>, target: ReplyTarget, team: string): Promise<void> {
    const topic = String(options.topic ?? '').trim();
    if (!topic) return this.dependencies.replies.ephemeral(target, `Give me a topic: \`${this.dependencies.command} start <topic>\``, { mrkdwn: true });
    const person = await this.dependencies.people.lookup(team, payload.user_id, payload.user_name);
    const client = await this.dependencies.workspaces.client(team);
    if (!client) return;
    // The channel's settings first: no parent message is posted for a start they refuse.
    const refusal = await this.dependencies.roundtable.startRefusal?.({ platform: 'slack', channel: payload.channel_id, thread: '', ...communityOfPayload(payload) }, person).catch(() => undefined);
    if (refusal) return this.dependencies.replies.ephemeral(target, plainForMrkdwn(refusal), { mrkdwn: true });
    let parentTs: string | undefined;
    try {
      await this.dependencies.pacing.reservePost(payload.channel_id);
      const parent = await client.chat.postMessage({
        channel: payload.channel_id,
        text: `:round_pushpin: *Roundtable:* ${plainForMrkdwn(topic.slice(0, 500))}\n_Started by ${plainForMrkdwn(person.displayName)} — reply in the thread to take part._`,
        parse: 'none',
        link_names: false,
        unfurl_links: false,
      });
      parentTs = parent.ts;
    } catch (error) {
      this.dependencies.logger.warn({ err: error, channel: payload.channel_id }, 'slack could not post the session parent');
      return this.dependencies.replies.ephemeral(target, 'I could not post in this channel — please invite me first (`/invite @TableRound`).', { mrkdwn: true });
    }
    if (!parentTs) return;
    const address: SessionAddress = { platform: 'slack', channel: payload.channel_id, thread: parentTs, ...communityOfPayload(payload) };
    const reply = await this.dependencies.runCommand({ name: 'start', options, person, address, sessionId: undefined });
    if (reply.sessionId) {
      const { sessionId } = reply;
      await this.dependencies.teamSessions.add(team, sessionId).catch((error: unknown) => this.dependencies.logger.warn({ err: error, sessionId }, 'slack: could not index the session under its workspace'));
    } else {
      // Not started: say so where the parent is, so no orphan "Roundtable" message is left unexplained.
      await this.dependencies.pacing.reserveUpdate(payload.channel_id);
      await client.chat
        .update({ channel: payload.channel_id, ts: parentTs, text: `:warning: Roundtable not started: ${plainForMrkdwn(reply.text)}` })
        .catch((error: unknown) => this.dependencies.logger.warn({ err: error }, 'slack could not update the session parent'));
    }
    await this.dependencies.replies.commandReply(target, reply, reply.sessionId);
  }

  /** A candidate button: the core toggles it in the person's ballot on that very poll. */
  async onBallotClick(value: string | undefined, user: { id: string; name?: string }, respond: RespondFunction | undefined, channel: string, team: string): Promise<void> {
    const button = decodeButtonValue(value);
    const target: ReplyTarget = { channel, user: user.id, ...(respond ? { respond } : {}) };
    if (!button || button.index === undefined) return;
    const { sessionId, pollId, index } = button;
    if (!respond) target.threadTs = threadOf(sessionId).threadTs;
    try {
      const person = await this.dependencies.people.lookup(team, user.id, user.name);
      const result = await this.dependencies.roundtable.toggleBallot(sessionId, person, pollId, index);
      await this.dependencies.replies.ephemeral(target, result.notice ?? 'Your ballot is counted.');
    } catch (error) {
      await this.dependencies.replies.ephemeral(target, describeForPerson(asTableRoundError(error), await this.dependencies.languageOf(sessionId)));
    }
  }

  /**
   * The Close button: `vote close` for the button's own poll, with the same checks (the command
   * refuses a poll that is no longer open, and the close it queues names the poll, so it never
   * closes a newer one).
   */
  async onCloseClick(value: string | undefined, user: { id: string; name?: string }, respond: RespondFunction | undefined, channel: string, team: string): Promise<void> {
    const button = decodeButtonValue(value);
    if (!button) return;
    const target: ReplyTarget = { channel, user: user.id, ...(respond ? { respond } : { threadTs: threadOf(button.sessionId).threadTs }) };
    const person = await this.dependencies.people.lookup(team, user.id, user.name);
    const reply = await this.dependencies.runCommand({ name: 'vote', options: { action: 'close', pollId: button.pollId }, person, address: parseSessionId(button.sessionId), sessionId: button.sessionId });
    await this.dependencies.replies.commandReply(target, reply, button.sessionId);
  }

  /** A reply's choice button (choice-blocks.ts): its command, run as whoever pressed it, answered privately. */
  async onChoiceClick(value: string | undefined, user: { id: string; name?: string }, respond: RespondFunction | undefined, channel: string, teamId: string | undefined, triggerId?: string): Promise<void> {
    const choice = decodeChoiceValue(value);
    if (!choice) return;
    const target: ReplyTarget = { channel, user: user.id, ...(respond ? { respond } : {}) };
    const team = teamId ?? (await this.dependencies.workspaces.teamOf(channel));
    const person = await this.dependencies.people.lookup(team, user.id, user.name);
    const address: SessionAddress = { platform: 'slack', channel, thread: '', ...communityOfPayload({ ...(teamId ? { team_id: teamId } : {}) }) };
    const reply = await this.dependencies.runCommand({ name: choice.command, options: choice.options, person, address, sessionId: undefined });
    // A reply with a form opens it (the click's trigger_id lives 3 s); otherwise, or when it cannot open, its text.
    const view = reply.form && triggerId ? formView(reply.form, channel) : undefined;
    const client = view ? await this.dependencies.workspaces.client(team) : undefined;
    if (view && client && (await this.dependencies.pacing.tryViewOpen(channel))) {
      try {
        await client.views.open({ trigger_id: triggerId!, view: view as unknown as Parameters<WebClient['views']['open']>[0]['view'] });
        return;
      } catch (error) {
        this.dependencies.logger.warn({ err: error }, 'slack: views.open failed for a form');
      }
    }
    await this.dependencies.replies.commandReply(target, reply, undefined);
  }

  /** A form's submission (acked already): its command with the fields as JSON, answered privately in its channel. */
  async onFormSubmit(view: { private_metadata?: string; state?: Parameters<typeof formValues>[0] }, user: { id: string; name?: string }, teamId: string | undefined): Promise<void> {
    const form = decodeFormTarget(view.private_metadata);
    if (!form) return;
    const person = await this.dependencies.people.lookup(teamId ?? (await this.dependencies.workspaces.teamOf(form.channel)), user.id, user.name);
    const address: SessionAddress = { platform: 'slack', channel: form.channel, thread: '', ...communityOfPayload({ ...(teamId ? { team_id: teamId } : {}) }) };
    const reply = await this.dependencies.runCommand({ name: form.command, options: { ...form.options, form: JSON.stringify(formValues(view.state)) }, person, address, sessionId: undefined });
    await this.dependencies.replies.commandReply({ channel: form.channel, user: user.id }, reply, undefined);
  }
}

/** The workspace a slash command came from (its `team_id`): the community of its panels and settings. */
function communityOfPayload(payload: { team_id?: string }): { community?: string } {
  return payload.team_id ? { community: payload.team_id } : {};
}
