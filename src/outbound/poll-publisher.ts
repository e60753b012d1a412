/**
 * The one poll publisher: people's clicks change a poll many times a second, and every refresh
 * of its message is a platform write (Discord: 25 a minute per channel, shared with persona
 * posts; Slack: `chat.update` Tier 3 per workspace). So refreshes are coalesced — at most one
 * pending and one running per poll, each showing the latest state when it runs — and a refresh is
 * skipped when the message already shows that state, e.g. because the click's own interaction
 * updated it (that update is free on Discord).
 *
 * Hazard: a refresh reads the state, then writes it — a paced write that may take seconds. A
 * click whose own interaction updates the message in that gap shows a newer state, which the
 * refresh's write then overwrote with its older one (seen in CI: the poll stuck at one voter
 * after the second click). So after its write a refresh reads the state again: when it moved on
 * (a click here or in another process, a panel ballot) or a click's update (`markShown`) came
 * during the write, the refresh runs once more with the state as it is then.
 */
import { createHash } from 'node:crypto';
import type { PollView } from '../adapter/chat-adapter.ts';
import type { Logger } from '../logging/logger.ts';

/** Waits this long after a click before refreshing, so a burst of clicks costs one write. */
export const pollRefreshDelayMs = 1_500;

export interface PollSource {
  /** The poll's current view and its message ref, or undefined when there is nothing to show. */
  current(sessionId: string): Promise<{ view: PollView; messageRef: string } | undefined>;
  /** Writes the view into the poll's message; returns the view it wrote when it read a fresher one at the write. */
  show(view: PollView, messageRef: string): Promise<PollView | void>;
}

function fingerprint(view: PollView): string {
  return createHash('sha1').update(JSON.stringify(view)).digest('base64url');
}

export class PollPublisher {
  private readonly scheduled = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly shown = new Map<string, string>();
  /** Bumped by every `markShown`: a refresh compares it around its write. */
  private readonly marks = new Map<string, number>();

  constructor(
    private readonly source: PollSource,
    private readonly logger: Logger,
    private readonly delayMs = pollRefreshDelayMs,
  ) {}

  /** Asks for the poll's message to show the current state (soon; coalesced). */
  request(sessionId: string): void {
    if (this.scheduled.has(sessionId)) return;
    const timer = setTimeout(() => {
      this.scheduled.delete(sessionId);
      void this.run(sessionId);
    }, this.delayMs);
    timer.unref();
    this.scheduled.set(sessionId, timer);
  }

  /** The message now shows `view` (a click's interaction updated it): a refresh to it is skipped. */
  markShown(sessionId: string, view: PollView): void {
    this.marks.set(sessionId, (this.marks.get(sessionId) ?? 0) + 1);
    this.remember(sessionId, fingerprint(view));
  }

  private async run(sessionId: string): Promise<void> {
    const previous = this.running.get(sessionId);
    if (previous) {
      // One refresh at a time per poll: the one after it reads the state as it is then.
      await previous;
    }
    const work = this.refresh(sessionId).finally(() => {
      if (this.running.get(sessionId) === work) this.running.delete(sessionId);
    });
    this.running.set(sessionId, work);
    await work;
  }

  private async refresh(sessionId: string): Promise<void> {
    try {
      const mark = this.marks.get(sessionId) ?? 0;
      const current = await this.source.current(sessionId);
      if (!current) return;
      const print = fingerprint(current.view);
      if (this.shown.get(sessionId) === print) return;
      // The adapter may read the state again at its write (after its platform slot): then it says what it wrote.
      const written = (await this.source.show(current.view, current.messageRef)) ?? current.view;
      const clickedMeanwhile = (this.marks.get(sessionId) ?? 0) !== mark;
      const after = await this.source.current(sessionId);
      if (clickedMeanwhile || (after !== undefined && fingerprint(after.view) !== fingerprint(written))) {
        // A click updated the message, or the state moved on, while this write was on its way:
        // which landed last is unknown, so ours may have replaced a newer state — write it again.
        // (Also when the adapter read the state at its write: the click may still come after that read.)
        this.shown.delete(sessionId);
        this.request(sessionId);
        return;
      }
      this.remember(sessionId, fingerprint(written));
    } catch (error) {
      this.logger.warn({ err: error, sessionId }, 'poll refresh failed; the next click or the vote result will show it');
    }
  }

  private remember(sessionId: string, print: string): void {
    if (this.shown.size > 10_000) {
      this.shown.clear();
      this.marks.clear();
    }
    this.shown.set(sessionId, print);
  }
}
