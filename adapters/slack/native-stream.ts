/**
 * Slack's own streaming messages: `chat.startStream` (persona username/icon; in a channel it
 * names a recipient: the session's starter) → `chat.appendStream` with the new text → `chat.stopStream`.
 * Text goes as `markdown_text`, neutralised (mrkdwn.ts). The stream state machine itself —
 * throttling, the final write, resuming after a crash — is the core's (src/outbound/); this
 * class only makes the calls, inside the Redis-shared budgets, and remembers in process what it
 * appended to each stream.
 *
 * Hazards: `chat.startStream` and `chat.stopStream` are each Tier 2 (~20/min per workspace): a
 * reply streams only when both slots can be held now (stream-holds.ts), so its stop never waits;
 * a stream whose process died is unknown here: `stop` then waits for a slot and only stops it
 * (the core rewrites its text with `chat.update`). When Slack refuses native streaming (older workspace,
 * feature off), the message is posted normally instead and later streams of this process use
 * `chat.update` alone.
 *
 * A persona's stream gets its Ask button (ask-blocks.ts) as chat.stopStream's `blocks`, shown under
 * the finished text — in the stop call itself. A stream this process does not know (its process
 * died) is stopped without it; the core's final `edit` then writes the text and the button.
 */
import type { ChatStopStreamArguments } from '@slack/web-api';
import type { NativeStreaming, Speaker } from '../../src/adapter/chat-adapter.ts';
import type { Logger } from '../../src/logging/logger.ts';
import { authorshipFor } from './identity.ts';
import { platformFailure, threadOf, type MessagePoster } from './message-poster.ts';
import { toSlackMarkdown, toSlackMrkdwn } from './mrkdwn.ts';
import type { SlackPacing } from './slack-pacing.ts';
import type { StreamHolds } from './stream-holds.ts';
import { personaPostBlocks } from './ask-blocks.ts';
import { beforeSending } from '../../src/adapter/not-sent.ts';
import { clientForChannel, uninstalledRef, type SlackWorkspaces } from './slack-workspaces.ts';

export interface NativeStreamDependencies {
  workspaces: SlackWorkspaces;
  poster: MessagePoster;
  pacing: SlackPacing;
  holds: StreamHolds;
  logger: Logger;
  /** Who a stream in this session is addressed to (the starter) and the workspace. */
  recipientOf(sessionId: string): Promise<{ userId: string; teamId: string } | undefined>;
  /** The Ask button's block for the speaker (undefined for the moderator). */
  askActionsOf(sessionId: string, speaker: Speaker): Promise<Record<string, unknown> | undefined>;
}

/** What this process sent on one open stream. */
interface OpenStream {
  channel: string;
  /** `markdown_text` sent so far; undefined for a message posted normally (fallback). */
  sent: string | undefined;
  /** The Ask button, for a persona's stream. */
  ask: Record<string, unknown> | undefined;
}

const bounded = 10_000;

function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

export class SlackNativeStreaming implements NativeStreaming {
  private readonly open = new Map<string, OpenStream>();
  private supported = true;

  constructor(private readonly dependencies: NativeStreamDependencies) {}

  /** Whether Slack accepted native streaming so far (a refusal turns it off for this process). */
  get available(): boolean {
    return this.supported;
  }

  async start(request: { sessionId: string; speaker: Speaker; text: string; signal?: AbortSignal }): Promise<string> {
    const { workspaces, pacing, holds, poster, logger } = this.dependencies;
    const thread = threadOf(request.sessionId);
    const client = await beforeSending(clientForChannel(workspaces, thread.channel));
    if (!client) {
      // The workspace removed the app: nothing to stream into.
      await holds.drop(request.sessionId);
      return uninstalledRef;
    }
    const recipient = this.supported ? await this.dependencies.recipientOf(request.sessionId).catch(() => undefined) : undefined;
    const ask = await this.dependencies.askActionsOf(request.sessionId, request.speaker);
    if (recipient) {
      await beforeSending(pacing.reservePost(thread.channel, request.signal).then(() => holds.start(request.sessionId)));
      const markdown = toSlackMarkdown(request.text);
      try {
        const result = await client.chat.startStream({
          channel: thread.channel,
          thread_ts: thread.threadTs,
          markdown_text: markdown,
          recipient_user_id: recipient.userId,
          recipient_team_id: recipient.teamId,
          ...authorshipFor(request.speaker),
        });
        if (!result.ts) throw new Error('chat.startStream returned no ts');
        this.remember(result.ts, { channel: thread.channel, sent: markdown, ask });
        return result.ts;
      } catch (error) {
        const code = slackErrorCode(error);
        // Only a refusal of the feature turns native streaming off; anything else is a failure.
        if (!code || !/not_allowed|not_supported|feature|unknown_method|method_deprecated|invalid_arguments/.test(code)) throw platformFailure('chat.startStream', error);
        this.supported = false;
        logger.warn({ err: error }, 'slack: native streaming refused; posting and updating messages instead');
      }
    }
    // Posted normally: the held stream slots go back; its final chat.update waits for a slot.
    await holds.drop(request.sessionId);
    const text = toSlackMrkdwn(request.text);
    const ts = await poster.postPart(thread, request.speaker, text, ask ? personaPostBlocks(text, ask) : undefined, request.signal);
    this.remember(ts, { channel: thread.channel, sent: undefined, ask });
    return ts;
  }

  async append(_sessionId: string, ref: string, textSoFar: string): Promise<boolean> {
    const stream = this.open.get(ref);
    if (!stream) return false;
    const { workspaces, pacing, poster } = this.dependencies;
    if (stream.sent === undefined) {
      if (!(await pacing.tryUpdate(stream.channel))) return false;
      const text = toSlackMrkdwn(textSoFar);
      await poster.updateReserved({ channel: stream.channel, threadTs: '' }, ref, text, stream.ask ? personaPostBlocks(text, stream.ask) : undefined);
      return true;
    }
    const markdown = toSlackMarkdown(textSoFar);
    if (!markdown.startsWith(stream.sent) || markdown.length === stream.sent.length) return false;
    const client = await clientForChannel(workspaces, stream.channel);
    if (!client) return false;
    if (!(await pacing.tryAppend(stream.channel))) return false;
    await client.chat.appendStream({ channel: stream.channel, ts: ref, markdown_text: markdown.slice(stream.sent.length) });
    stream.sent = markdown;
    return true;
  }

  async stop(sessionId: string, ref: string, finalText?: string): Promise<'stopped' | 'needs-edit'> {
    const stream = this.open.get(ref);
    this.open.delete(ref);
    if (stream?.sent === undefined && stream) return finalText === undefined ? 'stopped' : 'needs-edit';
    const { workspaces, holds, logger } = this.dependencies;
    if (ref === uninstalledRef) return 'stopped';
    const markdown = finalText === undefined ? undefined : toSlackMarkdown(finalText);
    const continues = stream?.sent !== undefined && markdown !== undefined && markdown.startsWith(stream.sent);
    const rest = continues ? markdown.slice(stream.sent!.length) : '';
    const channel = stream?.channel ?? threadOf(sessionId).channel;
    const client = await clientForChannel(workspaces, channel);
    if (!client) return 'stopped';
    await holds.stop(sessionId);
    try {
      await client.chat.stopStream({ channel, ts: ref, ...(rest ? { markdown_text: rest } : {}), ...(stream?.ask ? { blocks: [stream.ask] as unknown as NonNullable<ChatStopStreamArguments['blocks']> } : {}) });
    } catch (error) {
      // Already stopped (by an earlier attempt, or by Slack after a timeout): nothing to stop.
      if (slackErrorCode(error) !== 'message_not_in_streaming_state') throw platformFailure('chat.stopStream', error);
      logger.debug({ ts: ref }, 'slack: stream was already stopped');
      return finalText === undefined ? 'stopped' : 'needs-edit';
    }
    return finalText === undefined || continues ? 'stopped' : 'needs-edit';
  }

  private remember(ref: string, stream: OpenStream): void {
    if (this.open.size > bounded) this.open.clear();
    this.open.set(ref, stream);
  }
}
