/**
 * `/stop` reaching the worker that runs the session's step, in whichever process that is.
 *
 * The protocol (the durable half is in SessionStore.requestStop, the planning half in
 * commands/stop.ts):
 * 1. The process that takes the `/stop` (a gateway) writes, in one script, the stop's inbox event
 *    and the session's `stopRequest = { seq: N, eventId }` — "stop requested at step N" — then
 *    PUBLISHes `{ sessionId, seq: N, eventId }` on `RedisKeys.stopChannel()`.
 * 2. Every worker holds one dedicated subscriber connection on that channel (`StopSignals`). A
 *    running step is watched under (session, seq, the stop events its own inbox held); a message
 *    for that session and seq whose event the step did not plan itself aborts the step's signal
 *    with a `StopRequestedError`: the model call's HTTP request is aborted, the stream is finished
 *    as it stands with "(stopped)", and the step commits what was shown (step-machine.ts).
 * 3. Pub/sub is lossy (a worker reconnecting misses messages): whenever the subscriber is not
 *    listening, watched steps poll their session's `stopRequest` every `pollMs`, and once it
 *    listens again every watched step reads it once. A watch that starts checks the messages of
 *    the last `recentMs` too (a stop published between the step's snapshot and its watch).
 * 4. Whatever the messages do, the stop's inbox event is applied at the next step boundary: its
 *    plan drops everything planned and the moderator says who stopped the panel. So a worker that
 *    never hears the message still stops at the next boundary, and one that dies mid-stop leaves
 *    the step to a re-run, which finishes the stream it left (engine/stopped-attempt.ts).
 */
import type { RedisClient } from '../store/redis-connection.ts';
import type { Logger } from '../logging/logger.ts';
import type { StopRequest } from '../session/session-types.ts';

/** What a stop message says. */
export interface StopNotice {
  sessionId: string;
  seq: number;
  eventId: string;
}

/** The reason a step's signal aborts with when a person stopped it (not a shutdown, not a lost lock). */
export class StopRequestedError extends Error {
  override readonly name = 'StopRequestedError';

  constructor(readonly eventId: string) {
    super('a person stopped the panel');
  }
}

/** True when `signal` was aborted by `/stop`. */
export function isStopRequested(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && signal.reason instanceof StopRequestedError;
}

/** Publishes a stop message (best effort: the durable record is already written). */
export async function publishStop(redis: RedisClient, channel: string, notice: StopNotice): Promise<void> {
  await redis.publish(channel, JSON.stringify(notice));
}

/** A running step as the listener watches it. */
export interface WatchedStep {
  sessionId: string;
  seq: number;
  /** Stop events this step's own inbox held: the step already runs their plan. */
  planned: ReadonlySet<string>;
  /** Reads the session's stop request (the durable marker). */
  readRequest(): Promise<StopRequest | undefined>;
}

export interface StopWatch {
  /** Aborts with a `StopRequestedError` when the step is stopped. */
  signal: AbortSignal;
  release(): void;
}

/** What a watch aborts: its own controller, or the attempt's signal through the attempt's `stop`. */
interface Abortable {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
}

interface Watcher {
  step: WatchedStep;
  controller: Abortable;
}

export class StopSignals {
  private readonly watchers = new Set<Watcher>();
  /** Recent messages by session (kept `recentMs`), for watches that start after their message. */
  private readonly recent = new Map<string, StopNotice & { at: number }>();
  private listening = false;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly subscriber: RedisClient,
    private readonly channel: string,
    private readonly logger: Logger,
    private readonly options = { pollMs: 1_000, recentMs: 30_000 },
  ) {}

  /** Subscribes (the connection re-subscribes by itself after a reconnect). */
  start(): void {
    this.subscriber.on('message', (channel: string, raw: string) => {
      if (channel === this.channel) this.receive(raw);
    });
    this.subscriber.on('ready', () => {
      // After a reconnect ioredis subscribes again; what was published meanwhile is read back.
      if (!this.listening && this.timer) void this.subscribe();
    });
    for (const event of ['close', 'reconnecting', 'end'] as const) this.subscriber.on(event, () => (this.listening = false));
    this.timer = setInterval(() => {
      if (!this.listening) void this.recheck();
    }, this.options.pollMs);
    this.timer.unref();
    void this.subscribe();
  }

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel);
      this.listening = true;
      await this.recheck();
    } catch (error) {
      this.logger.warn({ err: error }, 'stop listener: could not subscribe; polling stop requests until it can');
    }
  }

  /**
   * Watches a running step until `release()`. `also`: the watch's signal aborts with it too (its
   * reason), so the step needs one signal, not `AbortSignal.any` of two. Given as the attempt's
   * signal and its `abort` (step-queue.ts `StepAttempt.stop`), a stop aborts that very signal: no
   * controller or listener of the watch's own on every step.
   */
  watch(step: WatchedStep, also?: AbortSignal | Abortable): StopWatch {
    const attempt = also instanceof AbortSignal ? also : undefined;
    const watcher: Watcher = { step, controller: also === undefined || also instanceof AbortSignal ? new AbortController() : also };
    const { controller } = watcher;
    const forward = () => {
      if (!controller.signal.aborted) controller.abort(attempt?.reason);
    };
    if (attempt?.aborted) forward();
    else attempt?.addEventListener('abort', forward, { once: true });
    this.watchers.add(watcher);
    const seen = this.recent.get(step.sessionId);
    if (seen) this.apply(watcher, seen);
    return {
      signal: controller.signal,
      release: () => {
        this.watchers.delete(watcher);
        attempt?.removeEventListener('abort', forward);
      },
    };
  }

  private receive(raw: string): void {
    let notice: StopNotice;
    try {
      notice = JSON.parse(raw) as StopNotice;
    } catch {
      return;
    }
    const now = Date.now();
    for (const [sessionId, kept] of this.recent) if (now - kept.at > this.options.recentMs) this.recent.delete(sessionId);
    this.recent.set(notice.sessionId, { ...notice, at: now });
    for (const watcher of this.watchers) this.apply(watcher, notice);
  }

  private apply(watcher: Watcher, notice: Pick<StopNotice, 'sessionId' | 'seq' | 'eventId'>): void {
    const { step, controller } = watcher;
    if (controller.signal.aborted || notice.sessionId !== step.sessionId || notice.seq !== step.seq || step.planned.has(notice.eventId)) return;
    this.logger.info({ sessionId: step.sessionId, seq: step.seq }, 'stop requested: aborting the running step');
    controller.abort(new StopRequestedError(notice.eventId));
  }

  /** Reads the durable request of every watched step (messages may have been missed). */
  private async recheck(): Promise<void> {
    await Promise.all(
      [...this.watchers].map(async (watcher) => {
        try {
          const request = await watcher.step.readRequest();
          if (request) this.apply(watcher, { sessionId: watcher.step.sessionId, ...request });
        } catch (error) {
          this.logger.debug({ err: error, sessionId: watcher.step.sessionId }, 'stop listener: could not read the stop request');
        }
      }),
    );
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.listening = false;
    this.subscriber.disconnect();
  }
}
