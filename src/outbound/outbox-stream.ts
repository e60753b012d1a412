/**
 * The one streamed-message state machine, for every adapter. A persona's reply is shown as it
 * is written: posted once there is text (after `firstPostDelayMs`), then grown — by the
 * platform's native stream (`append`) or by edits — at most once per `editIntervalMs`, and an
 * intermediate write only when the platform budget has room right now (`budget: 'skip'`): a busy
 * channel drops cosmetic updates, never content. `finish` always writes the final text (waiting
 * for the budget) and posts what does not fit one message as further messages.
 *
 * Exactly once across crashes (pipeline/step-outbox.ts): the stream's message is part 0 of its
 * key in the step outbox, recorded right after its first post and before any edit. `open`
 * re-attaches a re-run to it — a native stream still open is stopped first — so a retried turn
 * continues the same message instead of leaving a half-written one beside a new one. Before each
 * intermediate write (and before marking a reply interrupted) the stream checks that its runner
 * still owns the step: one that lost its job lock to a successor stops writing to the message the
 * successor now continues.
 */
import type { ChatAdapter, Speaker } from '../adapter/chat-adapter.ts';
import type { Logger } from '../logging/logger.ts';
import { lookUp, sendOnce } from '../pipeline/send-once.ts';
import type { OutboxPart, StepOutbox } from '../pipeline/step-outbox.ts';
import { deliverPost } from './deliver-post.ts';
import { splitMessage, streamPreview } from './split-message.ts';
import { hasPrefix } from '../has-prefix.ts';

/** Appended to a reply whose writing failed: public, short, never the error's text. */
export const interruptedMarker = '(this reply was interrupted)';

/** What a message shows once finished as it stood: its text, then the marker on a line of its own, within `limit`. */
export function markedText(shown: string, marker: string, limit: number): string {
  return `${shown.slice(0, Math.max(0, limit - marker.length - 4))}\n\n_${marker}_`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface StreamTarget {
  outbox: StepOutbox;
  adapter: ChatAdapter;
  sessionId: string;
  speaker: Speaker;
  key: string;
  logger: Logger;
}

export class OutboxStream {
  private ref: string | undefined;
  /** `native` while a native stream is open; `edit` once posted (or re-attached) as a message. */
  private mode: 'native' | 'edit' | undefined;
  /** Plain text the message shows now. */
  private shown = '';
  private latest = '';
  /** The `latest` the last write looked at: another write is due only when the text moved on. */
  private considered = '';
  private lastWriteAt = 0;
  private readonly startedAt = Date.now();
  private loop: Promise<void> | undefined;
  private closed = false;
  /** The message of an earlier attempt that this adapter cannot edit: left as it is. */
  private abandoned = false;
  /** The platform budget could not pay for a stream: the reply is posted once, finished. */
  private unstreamed = false;
  /** Another runner has claimed the step (this one lost its job lock): it writes nothing more. */
  private superseded = false;

  constructor(private readonly target: StreamTarget) {}

  private get limit(): number {
    return this.target.adapter.messageLimit;
  }

  /**
   * Re-attaches to the message an earlier attempt of the step started, if any (a re-run: a new
   * model call follows, so a native stream still open is stopped now, and the reply continues
   * by edits of that message).
   */
  async open(): Promise<void> {
    const { outbox, adapter, key, sessionId, logger } = this.target;
    const earlier = await this.earlierMessage();
    if (!earlier?.ref) return;
    if (earlier.finishedAs !== undefined) {
      // Stopped as it stood (`/stop`): it stays as it is; an answer is a message of its own.
      this.abandoned = true;
      return;
    }
    this.ref = earlier.ref;
    this.mode = 'edit';
    this.shown = earlier.text ?? '';
    logger.info({ sessionId, key }, 'stream: continuing the message an interrupted attempt started');
    if (earlier.stream === 'native' && !earlier.stopped && adapter.streaming?.native) {
      await adapter.streaming.native.stop(sessionId, earlier.ref);
      await outbox.record(key, 0, { ...earlier, stopped: true });
    }
    if (!adapter.edit) this.abandoned = true;
  }

  /**
   * The stream's message as the outbox knows it: recorded, or (an intent without a ref: the
   * first post may have reached the platform before its record failed) looked up and recorded.
   */
  private async earlierMessage(): Promise<OutboxPart | undefined> {
    const { outbox, adapter, key, sessionId, speaker } = this.target;
    const earlier = outbox.part(key, 0);
    if (earlier?.ref || earlier?.pendingSince === undefined) return earlier;
    const found = await lookUp(outbox, adapter, sessionId, earlier, speaker);
    if (!found) return undefined;
    const recorded: OutboxPart = { ref: found, ...(earlier.stream ? { stream: earlier.stream } : {}), ...(earlier.text ? { text: earlier.text } : {}), ...(earlier.personaId ? { personaId: earlier.personaId } : {}) };
    await outbox.record(key, 0, recorded);
    return recorded;
  }

  /** In this attempt, a first post whose record failed is found again before the final write. */
  private async recover(): Promise<void> {
    if (this.ref || this.abandoned) return;
    const earlier = await this.earlierMessage();
    if (!earlier?.ref || !earlier.stream) return;
    this.ref = earlier.ref;
    this.mode = earlier.stream === 'native' && !earlier.stopped ? 'native' : 'edit';
    this.shown = earlier.text ?? '';
  }

  update(textSoFar: string): void {
    if (this.closed) return;
    this.latest = textSoFar;
    this.kick();
  }

  /** Writes the final text; returns the refs of every message the reply occupies. */
  async finish(finalText: string): Promise<string[]> {
    this.closed = true;
    await this.settle();
    await this.recover();
    const { outbox, adapter, key, sessionId, speaker, logger } = this.target;
    if (!this.ref || this.abandoned) {
      // Nothing streamed (budget, a fast reply, or a message this adapter cannot edit): posts.
      return deliverPost({ outbox, adapter, sessionId, logger }, { key: this.abandoned ? `${key}~final` : key, speaker, text: finalText });
    }
    const ref = this.ref;
    const [first = '…'] = splitMessage(finalText, this.limit);
    const native = adapter.streaming?.native;
    if (this.mode === 'native' && native) {
      const outcome = await native.stop(sessionId, ref, first);
      await outbox.record(key, 0, { ref, stream: 'native', stopped: true });
      this.mode = 'edit';
      if (outcome === 'needs-edit') await adapter.edit?.({ sessionId, speaker, ref, text: adapter.render(first), budget: 'held' });
    } else if (first !== this.shown) {
      await adapter.edit?.({ sessionId, speaker, ref, text: adapter.render(first), budget: 'held' });
    }
    this.shown = first;
    const rest = await deliverPost({ outbox, adapter, sessionId, logger }, { key, speaker, text: finalText, firstPart: 1 });
    return [ref, ...rest];
  }

  /**
   * The reply failed, or a person stopped it (`stopped`): the message is finished as it stands,
   * marked with a short public line (`marker`). A failed one stays attached in the outbox (a retry
   * continues it); a stopped one is recorded as finished (`finishedAs`) before the write, so a
   * re-run writes the same and nothing continues it. Returns the text that was visible.
   */
  async abort(marker = interruptedMarker, stopped = false): Promise<string> {
    this.closed = true;
    await this.settle();
    await this.recover().catch(() => undefined);
    const { outbox, adapter, key, sessionId, speaker, logger } = this.target;
    if (!this.ref || this.abandoned || this.superseded) return '';
    if (!(await outbox.owns().catch(() => true))) return '';
    const ref = this.ref;
    const marked = markedText(this.shown, marker, this.limit);
    try {
      const native = adapter.streaming?.native;
      if (stopped) {
        const personaId = speaker.kind === 'persona' ? { personaId: speaker.persona.id } : {};
        await outbox.record(key, 0, { ...outbox.part(key, 0), ref, text: this.shown, finishedAs: marked, ...personaId });
      }
      if (this.mode === 'native' && native) {
        const outcome = await native.stop(sessionId, ref, marked);
        // A stopped message keeps what its stop recorded (`finishedAs`); a failed one is re-attached by a retry.
        await outbox.record(key, 0, stopped ? { ...outbox.part(key, 0), ref, stream: 'native', stopped: true } : { ref, stream: 'native', stopped: true });
        this.mode = 'edit';
        if (outcome === 'needs-edit') await adapter.edit?.({ sessionId, speaker, ref, text: adapter.render(marked), budget: 'held' });
      } else {
        await adapter.edit?.({ sessionId, speaker, ref, text: adapter.render(marked), budget: 'held' });
      }
    } catch (error) {
      logger.warn({ err: error, sessionId }, 'stream: could not mark the interrupted reply');
    }
    return this.shown;
  }

  private kick(): void {
    if (this.loop) return;
    this.loop = this.write()
      .catch((error: unknown) => this.target.logger.warn({ err: error, sessionId: this.target.sessionId }, 'stream: an intermediate write failed; the final text is still sent'))
      .finally(() => {
        this.loop = undefined;
        if (!this.closed && this.latest !== this.considered && !this.abandoned && !this.unstreamed && !this.superseded) this.kick();
      });
  }

  private async settle(): Promise<void> {
    while (this.loop) await this.loop;
  }

  private async write(): Promise<void> {
    const { adapter, sessionId, speaker, key, outbox, logger } = this.target;
    const streaming = adapter.streaming;
    if (!streaming || this.abandoned || this.unstreamed || this.superseded) return;
    this.considered = this.latest;
    if (!this.ref) {
      const wait = this.startedAt + streaming.firstPostDelayMs - Date.now();
      if (wait > 0) await this.sleepUnlessClosed(wait);
      if (this.closed) return;
      this.considered = this.latest;
      const text = streamPreview(this.latest, this.limit);
      if (!text.trim()) return;
      const native = streaming.native && this.latest.length <= this.limit ? streaming.native : undefined;
      if (streaming.mayStream && !(await streaming.mayStream(sessionId, native ? 'native' : 'edit'))) {
        this.unstreamed = true;
        logger.debug({ sessionId, key }, 'stream: the platform budget is tight; posting this reply once, finished');
        return;
      }
      const { ref } = await sendOnce(
        outbox,
        adapter,
        key,
        0,
        { sessionId, speaker, text, stream: native ? 'native' : 'edit' },
        () => {
          const signal = outbox.superseded ? { signal: outbox.superseded } : {};
          return native ? native.start({ sessionId, speaker, text, ...signal }) : adapter.send({ sessionId, speaker, text: adapter.render(text), ...signal });
        },
        logger,
      );
      this.ref = ref;
      this.mode = native ? 'native' : 'edit';
      this.shown = text;
      this.lastWriteAt = Date.now();
      return;
    }
    await this.sleepUnlessClosed(this.lastWriteAt + streaming.editIntervalMs - Date.now());
    if (this.closed) return;
    if (!(await outbox.owns())) {
      this.superseded = true;
      logger.warn({ sessionId, key }, 'stream: another runner has taken this step over; this one stops writing');
      return;
    }
    this.considered = this.latest;
    if (this.mode === 'native' && streaming.native) {
      // A native stream only grows; past one message's worth the final write decides.
      if (this.latest.length > this.limit || !hasPrefix(this.latest, this.shown) || this.latest === this.shown) return;
      const text = this.latest;
      if (await streaming.native.append(sessionId, this.ref, text)) this.shown = text;
    } else {
      const text = streamPreview(this.latest, this.limit);
      if (!text.trim() || text === this.shown || !adapter.edit) return;
      if (await adapter.edit({ sessionId, speaker, ref: this.ref, text: adapter.render(text), budget: 'skip' })) this.shown = text;
    }
    this.lastWriteAt = Date.now();
  }

  /** Sleeps up to `ms`, waking early once the stream is closed. */
  private async sleepUnlessClosed(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (!this.closed && Date.now() < until) await sleep(Math.min(100, until - Date.now()));
  }
}
