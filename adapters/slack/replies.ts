/**
 * Where a short answer to a person goes: ephemerally (response_url when Slack gave us one, else
 * chat.postEphemeral in the thread), or into the session thread as the moderator. Replies never
 * throw: a reply that cannot be delivered is logged.
 */
import type { CommandReply } from '../../commands/command.ts';
import type { Logger } from '../../src/logging/logger.ts';
import type { MessagePoster } from './message-poster.ts';
import { threadOf } from './message-poster.ts';
import { splitMessage } from '../../src/outbound/split-message.ts';
import { slackMessageLimit } from './slack-chat-adapter.ts';
import { toSlackMrkdwn } from './mrkdwn.ts';
import { choiceBlocks } from './choice-blocks.ts';
import type { ReplyChoice } from '../../src/command-core/command-contract.ts';
import { clientForChannel, type SlackWorkspaces } from './slack-workspaces.ts';

/** Bolt's `respond` for slash commands and block actions (response_url: 5 uses in 30 min). */
export type RespondFunction = (message: { text: string; response_type: 'ephemeral'; replace_original?: boolean; blocks?: unknown[] }) => Promise<unknown>;

export interface ReplyTarget {
  channel: string;
  user: string;
  /** Thread to show an ephemeral answer in. */
  threadTs?: string;
  respond?: RespondFunction;
}

export class Replies {
  constructor(
    private readonly workspaces: SlackWorkspaces,
    private readonly poster: MessagePoster,
    private readonly logger: Logger,
  ) {}

  /** `mrkdwn`: the text is ours and already mrkdwn; otherwise it is escaped and converted. */
  async ephemeral(target: ReplyTarget, text: string, options: { mrkdwn?: boolean; choices?: readonly ReplyChoice[] } = {}): Promise<void> {
    const body = options.mrkdwn ? text : toSlackMrkdwn(text);
    // A reply's choices are buttons under its text (choice-blocks.ts).
    const blocks = options.choices?.length ? { blocks: choiceBlocks(body, options.choices) } : {};
    try {
      if (target.respond) {
        await target.respond({ text: body, response_type: 'ephemeral', replace_original: false, ...blocks });
        return;
      }
      // Not installed there any more: nobody to answer.
      const client = await clientForChannel(this.workspaces, target.channel);
      if (client) await client.chat.postEphemeral({ channel: target.channel, user: target.user, text: body, ...(target.threadTs ? { thread_ts: target.threadTs } : {}), ...(blocks as { blocks?: never[] }) });
    } catch (error) {
      this.logger.warn({ err: error, channel: target.channel }, 'slack ephemeral reply failed');
    }
  }

  /** A command's reply, where its visibility says. */
  async commandReply(target: ReplyTarget, reply: CommandReply, sessionId: string | undefined): Promise<void> {
    const session = reply.sessionId ?? sessionId;
    if (reply.visibility === 'thread' && session) {
      try {
        for (const part of splitMessage(reply.text, slackMessageLimit)) await this.poster.postPart(threadOf(session), { kind: 'moderator' }, toSlackMrkdwn(part));
        return;
      } catch (error) {
        this.logger.warn({ err: error, sessionId: session }, 'slack thread reply failed; answering ephemerally');
      }
    }
    await this.ephemeral(target, reply.text, reply.choices?.length ? { choices: reply.choices } : {});
  }
}
