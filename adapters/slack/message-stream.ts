/**
 * Streamed posts. Two strategies, both inside the Redis-shared budgets:
 * - native (SLACK_NATIVE_STREAMING): chat.startStream (persona username/icon, recipient = the
 *   session's starter, required in channels) → chat.appendStream with the new text, at most one
 *   per `streamIntervalMs` and only when the workspace append budget has a free slot →
 *   chat.stopStream with the rest. Text is Markdown (`markdown_text`), neutralised.
 * - post-then-update: nothing is posted until the text has been growing for `firstPostDelayMs`
 *   (a fast reply costs one chat.postMessage and no chat.update at all); then intermediate
 *   chat.update calls only when a workspace slot is free now, and one final chat.update that
 *   waits for its slot.
 * `finish` always writes the final text. Failures of intermediate writes are logged, never thrown.
 */
import type { WebClient } from '@slack/web-api';
import type { PostResult, Speaker, StreamHandle, StreamOptions } from '../../src/adapter/chat-adapter.ts';
import type { Logger } from '../../src/logging/logger.ts';
import type { SlackPacing } from './slack-pacing.ts';
import { platformFailure, type MessagePoster, type SlackThread } from './message-poster.ts';
import { authorshipFor } from './identity.ts';
import { toSlackMarkdown, toSlackMrkdwn } from './mrkdwn.ts';
import { splitMessage, slackMessageLimit } from './split-message.ts';

/** Minimum ms between two writes to the same streamed message. */
export const streamIntervalMs = 1_500;
/** Post-then-update: how long a reply must keep growing before a partial message is posted. */
export const firstPostDelayMs = 1_500;
/** Native streams stop growing past this many characters; the rest is posted as new messages. */
const nativeStreamLimit = 11_000;
const ellipsis = ' …';

export interface StreamDependencies {
  client: WebClient;
  poster: MessagePoster;
  pacing: SlackPacing;
  logger: Logger;
}

/** Serialises a stream's writes; a failed write is logged and does not stop later ones. */
class WriteChain {
  private tail: Promise<void> = Promise.resolve();
  busy = false;
  constructor(private readonly logger: Logger) {}
  run(write: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.tail = this.tail.then(write).catch((error: unknown) => this.logger.warn({ err: error }, 'slack stream write failed')).finally(() => {
      this.busy = false;
    });
    return this.tail;
  }
  settled(): Promise<void> {
    return this.tail;
  }
}

export class UpdateStream implements StreamHandle {
  private ts: string | undefined;
  private latest = '';
  private lastWriteAt = 0;
  private readonly startedAt = Date.now();
  private readonly chain: WriteChain;

  constructor(
    private readonly thread: SlackThread,
    private readonly speaker: Speaker,
    private readonly dependencies: StreamDependencies,
    private readonly options: StreamOptions = {},
  ) {
    this.chain = new WriteChain(dependencies.logger);
    // A retried step continues the message its crashed attempt had started (its ts).
    this.ts = options.resume;
  }

  private partial(text: string): string {
    const converted = toSlackMrkdwn(text);
    return converted.length > slackMessageLimit - ellipsis.length ? `${converted.slice(0, slackMessageLimit - 200)}${ellipsis}` : `${converted}${ellipsis}`;
  }

  update(textSoFar: string): void {
    this.latest = textSoFar;
    const now = Date.now();
    if (this.chain.busy || !textSoFar.trim() || now - this.lastWriteAt < streamIntervalMs) return;
    if (!this.ts && now - this.startedAt < firstPostDelayMs) return;
    this.lastWriteAt = now;
    void this.chain.run(async () => {
      if (!this.ts) {
        this.ts = await this.dependencies.poster.postPart(this.thread, this.speaker, this.partial(this.latest));
        await this.options.onStarted?.(this.ts);
      } else if (await this.dependencies.pacing.tryUpdate()) {
        await this.dependencies.poster.updateReserved(this.thread, this.ts, this.partial(this.latest));
      }
      this.lastWriteAt = Date.now();
    });
  }

  async finish(finalText: string): Promise<PostResult> {
    await this.chain.settled();
    const parts = splitMessage(toSlackMrkdwn(finalText));
    if (!this.ts) return { messageIds: await this.dependencies.poster.postMrkdwn(this.thread, this.speaker, parts.join('\n')) };
    const [first = '', ...rest] = parts;
    try {
      await this.dependencies.poster.update(this.thread, this.ts, first);
    } catch (error) {
      // A resumed message may be gone (deleted, or a native stream Slack will not update): post anew.
      if (this.ts !== this.options.resume) throw error;
      this.dependencies.logger.warn({ err: error }, 'slack: could not continue the interrupted message; posting anew');
      return { messageIds: await this.dependencies.poster.postMrkdwn(this.thread, this.speaker, parts.join('\n')) };
    }
    const ids = [this.ts];
    for (const part of rest) ids.push(await this.dependencies.poster.postPart(this.thread, this.speaker, part));
    return { messageIds: ids };
  }

  async abort(reason: string): Promise<void> {
    await this.chain.settled();
    if (!this.ts) return;
    const text = `${this.latest ? toSlackMrkdwn(this.latest).slice(0, slackMessageLimit - 200) : ''}\n_(${toSlackMrkdwn(reason)})_`;
    await this.dependencies.poster.update(this.thread, this.ts, text);
  }
}

export interface NativeStreamTarget {
  recipientUserId: string;
  recipientTeamId: string;
}

export class NativeStream implements StreamHandle {
  private ts: string | undefined;
  private sent = '';
  private latest = '';
  private lastWriteAt = 0;
  private failed = false;
  private readonly chain: WriteChain;

  constructor(
    private readonly thread: SlackThread,
    private readonly speaker: Speaker,
    private readonly target: NativeStreamTarget,
    private readonly dependencies: StreamDependencies,
    /** Called when Slack refuses native streaming, so later streams fall back at once. */
    private readonly onUnsupported: (error: unknown) => void,
    private readonly options: StreamOptions = {},
  ) {
    this.chain = new WriteChain(dependencies.logger);
  }

  private async start(markdown: string): Promise<void> {
    await this.dependencies.pacing.reservePost(this.thread.channel);
    try {
      const result = await this.dependencies.client.chat.startStream({
        channel: this.thread.channel,
        thread_ts: this.thread.threadTs,
        markdown_text: markdown,
        recipient_user_id: this.target.recipientUserId,
        recipient_team_id: this.target.recipientTeamId,
        ...authorshipFor(this.speaker),
      });
      this.ts = result.ts;
      this.sent = markdown;
      if (this.ts) await this.options.onStarted?.(this.ts);
    } catch (error) {
      this.failed = true;
      this.onUnsupported(error);
    }
  }

  update(textSoFar: string): void {
    this.latest = textSoFar;
    const now = Date.now();
    if (this.failed || this.chain.busy || !textSoFar.trim() || now - this.lastWriteAt < streamIntervalMs) return;
    this.lastWriteAt = now;
    void this.chain.run(async () => {
      const markdown = toSlackMarkdown(this.latest).slice(0, nativeStreamLimit);
      if (!this.ts) await this.start(markdown);
      else if (markdown.startsWith(this.sent) && markdown.length > this.sent.length && (await this.dependencies.pacing.tryAppend())) {
        await this.dependencies.client.chat.appendStream({ channel: this.thread.channel, ts: this.ts, markdown_text: markdown.slice(this.sent.length) });
        this.sent = markdown;
      }
      this.lastWriteAt = Date.now();
    });
  }

  async finish(finalText: string): Promise<PostResult> {
    await this.chain.settled();
    const { poster } = this.dependencies;
    if (!this.ts) return { messageIds: await poster.postMrkdwn(this.thread, this.speaker, toSlackMrkdwn(finalText)) };
    const markdown = toSlackMarkdown(finalText);
    const head = markdown.slice(0, nativeStreamLimit);
    try {
      if (head.startsWith(this.sent)) {
        const rest = head.slice(this.sent.length);
        await this.dependencies.pacing.reserveAppend();
        await this.dependencies.client.chat.stopStream({ channel: this.thread.channel, ts: this.ts, ...(rest ? { markdown_text: rest } : {}) });
      } else {
        // The text was rewritten (e.g. reasoning removed): stop, then replace it as a whole.
        await this.dependencies.pacing.reserveAppend();
        await this.dependencies.client.chat.stopStream({ channel: this.thread.channel, ts: this.ts });
        await poster.update(this.thread, this.ts, splitMessage(toSlackMrkdwn(finalText))[0] ?? '');
        return { messageIds: [this.ts, ...(await this.postOverflow(toSlackMrkdwn(finalText), slackMessageLimit))] };
      }
    } catch (error) {
      throw platformFailure('chat.stopStream', error);
    }
    const overflow = markdown.length > nativeStreamLimit ? await poster.postMrkdwn(this.thread, this.speaker, toSlackMrkdwn(finalText.slice(nativeStreamLimit))) : [];
    return { messageIds: [this.ts, ...overflow] };
  }

  private async postOverflow(mrkdwn: string, firstPartLength: number): Promise<string[]> {
    const parts = splitMessage(mrkdwn);
    if (parts.length <= 1 || mrkdwn.length <= firstPartLength) return [];
    const ids: string[] = [];
    for (const part of parts.slice(1)) ids.push(await this.dependencies.poster.postPart(this.thread, this.speaker, part));
    return ids;
  }

  async abort(reason: string): Promise<void> {
    await this.chain.settled();
    if (!this.ts) return;
    await this.dependencies.pacing.reserveAppend();
    await this.dependencies.client.chat.stopStream({ channel: this.thread.channel, ts: this.ts, markdown_text: `\n\n_(${toSlackMarkdown(reason)})_` }).catch((error: unknown) => this.dependencies.logger.warn({ err: error }, 'chat.stopStream failed'));
  }
}
