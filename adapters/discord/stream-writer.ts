/**
 * A streamed persona message: posted as soon as there is text, then edited as tokens arrive —
 * at most one edit per DISCORD_EDIT_INTERVAL_MS per message, and an intermediate edit only when
 * the shared budget has room right now. `finish` always writes the final text (waiting for the
 * budget), splitting it across further messages when it outgrows one.
 */
import type { PostResult, Speaker, StreamHandle, StreamOptions } from '../../src/adapter/chat-adapter.ts';
import type { WebhookRegistry } from './webhook-registry.ts';
import type { Logger } from '../../src/logging/logger.ts';
import { prepareContent } from './format-content.ts';
import { splitMessage } from './split-message.ts';
import type { DiscordPacing } from './discord-pacing.ts';
import type { DiscordPoster, SentMessage } from './discord-poster.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a partial text looks like in the channel: the first chunk, marked as unfinished. */
function preview(text: string): string {
  const chunks = splitMessage(prepareContent(text));
  const first = chunks[0] ?? '';
  return chunks.length > 1 ? `${first} …` : first;
}

export class StreamWriter implements StreamHandle {
  private latest = '';
  private shown = '';
  private message: SentMessage | undefined;
  private lastWriteAt = 0;
  private loop: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly sessionId: string,
    private readonly speaker: Speaker,
    private readonly poster: DiscordPoster,
    private readonly pacing: DiscordPacing,
    private readonly logger: Logger,
    private readonly registry?: WebhookRegistry,
    private readonly options: StreamOptions = {},
  ) {}

  /** Token for `StreamOptions.resume`: where the message is, never the webhook's secret. */
  static tokenOf(message: SentMessage): string {
    return JSON.stringify({ id: message.id, channelId: message.channelId, parentId: message.parentId, via: message.via.kind });
  }

  /** The message an earlier, crashed attempt started, re-attached with fresh webhook credentials. */
  private async resumed(): Promise<SentMessage | undefined> {
    if (!this.options.resume || !this.registry) return undefined;
    try {
      const token = JSON.parse(this.options.resume) as { id: string; channelId: string; parentId: string; via: 'webhook' | 'bot' };
      const via = token.via === 'webhook' ? { kind: 'webhook' as const, webhook: await this.registry.get(token.parentId) } : { kind: 'bot' as const };
      return { id: token.id, channelId: token.channelId, parentId: token.parentId, via };
    } catch (error) {
      this.logger.warn({ err: error, sessionId: this.sessionId }, 'discord: cannot resume the interrupted message; posting a new one');
      return undefined;
    }
  }

  update(textSoFar: string): void {
    if (this.closed) return;
    this.latest = textSoFar;
    this.kick();
  }

  async finish(finalText: string): Promise<PostResult> {
    this.closed = true;
    await this.settle();
    const chunks = splitMessage(prepareContent(finalText));
    this.message ??= await this.resumed();
    if (!this.message) return this.poster.post({ sessionId: this.sessionId, speaker: this.speaker, text: finalText });
    const message = this.message;
    const first = chunks[0] ?? '…';
    if (first !== this.shown) {
      await this.waitForEditSlot();
      await this.pacing.write(this.poster.targetOf(message));
      await this.poster.edit(message, first);
      this.shown = first;
      this.lastWriteAt = Date.now();
    }
    const messageIds = [message.id];
    for (const chunk of chunks.slice(1)) messageIds.push((await this.poster.send(this.sessionId, this.speaker, chunk)).id);
    return { messageIds };
  }

  async abort(reason: string): Promise<void> {
    this.closed = true;
    await this.settle();
    this.logger.info({ sessionId: this.sessionId, reason }, 'discord: stream aborted');
    if (!this.message) return;
    const marked = `${this.shown.slice(0, 1900)}\n-# (this reply was interrupted)`;
    await this.pacing.write(this.poster.targetOf(this.message));
    await this.poster.edit(this.message, marked).catch((error: unknown) => this.logger.warn({ err: error }, 'discord: could not mark the interrupted message'));
  }

  private kick(): void {
    if (this.loop) return;
    this.loop = this.run()
      .catch((error: unknown) => this.logger.warn({ err: error, sessionId: this.sessionId }, 'discord: stream write failed; the final text is still sent'))
      .finally(() => {
        this.loop = undefined;
        if (!this.closed && preview(this.latest) !== this.shown) this.kick();
      });
  }

  private async settle(): Promise<void> {
    while (this.loop) await this.loop;
  }

  private async run(): Promise<void> {
    if (!this.message && this.options.resume) {
      this.message = await this.resumed();
      if (this.message) return;
    }
    if (!this.message) {
      const text = preview(this.latest);
      if (!text) return;
      this.message = await this.poster.send(this.sessionId, this.speaker, text);
      this.shown = text;
      this.lastWriteAt = Date.now();
      await this.options.onStarted?.(StreamWriter.tokenOf(this.message));
      return;
    }
    await this.waitForEditSlot(true);
    if (this.closed) return;
    const text = preview(this.latest);
    if (!text || text === this.shown) return;
    if (!(await this.pacing.tryWrite(this.poster.targetOf(this.message)))) {
      // No room in the shared budget right now: skip this cosmetic edit, try again next interval.
      this.lastWriteAt = Date.now();
      return;
    }
    await this.poster.edit(this.message, text);
    this.shown = text;
    this.lastWriteAt = Date.now();
  }

  /** Sleeps until the message may be edited again; `interruptible` stops early when closed. */
  private async waitForEditSlot(interruptible = false): Promise<void> {
    for (;;) {
      const wait = this.lastWriteAt + this.pacing.editIntervalMs - Date.now();
      if (wait <= 0 || (interruptible && this.closed)) return;
      await sleep(Math.min(wait, interruptible ? 100 : wait));
    }
  }
}
