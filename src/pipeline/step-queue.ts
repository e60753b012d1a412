/**
 * The BullMQ queue of session steps, and its worker. One job = one step of one session (see
 * step-machine.ts); its data is small JSON and running it twice is safe (step-outbox.ts).
 *
 * Job ids are `step__{session}__{seq}` (+ `__e{epoch}` once a step was revived). BullMQ ignores
 * an add whose id exists in any state — failed and completed included — so duplicate kicks of
 * one step collapse into one job, and a job that failed or stalled out is replaced by raising
 * the session's epoch (step-liveness.ts), never by re-adding the dead id.
 */
import { DelayedError, Queue, Worker, type ConnectionOptions, type Job, type JobState } from 'bullmq';
import type { RedisClient } from '../store/redis-connection.ts';
import type { ErrorCode } from '../errors.ts';
import type { CatalogText } from '../i18n/translate.ts';
import type { Logger } from '../logging/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { deadlineGraceMs, withDeadline } from './step-deadline.ts';

export interface StepJobData {
  sessionId: string;
  seq: number;
  /** The session's kick epoch when the job was added (absent in jobs of older versions: 0). */
  epoch?: number;
  /** Revived too often: skip the step with a notice instead of running it again. */
  skip?: boolean;
  /** With `skip`: why the step's last job failed for good, for the notice (absent: its worker died). */
  reason?: StepFailureReason;
}

/** A final failure's code and the sentence for the person (JSON, carried in the job's data). */
export interface StepFailureReason {
  code: ErrorCode;
  text?: CatalogText;
}

/** What the worker asks the step machine to do; a result of `elsewhere` hands the job back to the queue. */
export interface StepProcessor {
  /**
   * `attempt.superseded`: aborts when the attempt no longer owns its step (see `withDeadline`).
   * `attempt.stop`: aborts `attempt.signal` with a reason (a `/stop` of the step), so that a step
   * has one signal for its deadline, its job's cancellation and its stop.
   */
  process(job: Required<Pick<StepJobData, 'sessionId' | 'seq' | 'epoch'>> & Pick<StepJobData, 'reason'> & { skip: boolean }, attempt: StepAttempt): Promise<string>;
  /** Called once before the worker takes jobs (the step machine starts listening for `/stop`). */
  start?(): void;
  /** Called once the worker has closed. */
  close?(): Promise<void>;
}

/** One attempt at a step, as the worker hands it to the processor. */
export interface StepAttempt {
  final: boolean;
  signal?: AbortSignal;
  superseded?: AbortSignal;
  stop?: (reason: Error) => void;
}

export const stepAttempts = 3;
/**
 * How long a step this worker cannot post waits before a worker takes it again. Short: Redis
 * serves the worker blocked longest first, so the worker without the platform is usually the one
 * that takes the session's next step, and then the capable one wins the re-take only about half
 * the time — each lost round costs this delay (at 1 s, a session's steps sometimes waited 10–30 s).
 */
const handBackDelayMs = 250;

/** The step jobs' options (the bench's floor uses the same, so it pays for the same bookkeeping). */
export function stepJobOptions(backoffMs: number) {
  return {
    attempts: stepAttempts,
    backoff: { type: 'exponential' as const, delay: backoffMs },
    // Removed at once: a finished step's job is never read again, and a late duplicate add of it
    // creates a job that finds the session's seq moved on and ends as `stale` (one read). Kept,
    // they cost more Redis than the sessions themselves (bench: session-storage).
    removeOnComplete: true,
    // Failed jobs no longer block anything (epochs); keep a bounded few for inspection.
    removeOnFail: { age: 24 * 3_600, count: 500 },
  };
}

/**
 * A step job's state as liveness sees it: BullMQ's, `unknown` when there is no such job, and
 * `abandoned` for an `active` job whose lock has lapsed — its worker died holding it. BullMQ's
 * stall check would hand such a job back only after one to two more stall intervals (it marks
 * active jobs, then moves those still unlocked at its next pass); the sweeper revives it under a
 * new epoch at once instead (the old job, if it ever runs, finds its epoch superseded).
 */
export type StepJobState = JobState | 'unknown' | 'abandoned';

/** States in which a job will still run (or is running). */
const liveStates = new Set<StepJobState>(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

export function isLiveJobState(state: StepJobState): boolean {
  return liveStates.has(state);
}

/** `:` is not allowed in BullMQ custom ids; session ids are percent-encoded, so `~` is free. */
export function stepJobId(sessionId: string, seq: number, epoch = 0): string {
  return `step__${sessionId.replace(/:/g, '~')}__${seq}${epoch > 0 ? `__e${epoch}` : ''}`;
}

export interface StepQueueOptions {
  /** First retry delay of a failed step (exponential after that). */
  backoffMs: number;
}

export class StepQueue {
  readonly queue: Queue<StepJobData>;
  private worker: Worker<StepJobData> | undefined;
  private processor: StepProcessor | undefined;

  constructor(
    private readonly connection: RedisClient,
    readonly name: string,
    readonly prefix: string,
    private readonly logger: Logger,
    options: StepQueueOptions = { backoffMs: 2_000 },
  ) {
    this.queue = new Queue<StepJobData>(name, {
      connection: connection as unknown as ConnectionOptions,
      prefix,
      defaultJobOptions: stepJobOptions(options.backoffMs),
    });
    this.queue.on('error', (error) => logger.warn({ err: error }, 'queue error'));
  }

  /** Idempotent: a job with this id that exists already (any state) absorbs the add. */
  async enqueue(sessionId: string, seq: number, epoch = 0, skip = false, reason?: StepFailureReason): Promise<void> {
    await this.queue.add('step', { sessionId, seq, epoch, ...(skip ? { skip } : {}), ...(skip && reason ? { reason } : {}) }, { jobId: stepJobId(sessionId, seq, epoch) });
  }

  /** BullMQ's lock key of a job: set with the move to active, renewed while the step runs. */
  lockKey(jobId: string): string {
    return `${this.queue.toKey(jobId)}:lock`;
  }

  async jobState(sessionId: string, seq: number, epoch: number): Promise<StepJobState> {
    const jobId = stepJobId(sessionId, seq, epoch);
    const state = await this.queue.getJobState(jobId);
    if (state !== 'active') return state;
    // The lock is set with the move to active (one script) and renewed while the step runs. A job
    // that finished between the two reads also has no lock: reviving it is refused by the seq check.
    const locked = await this.connection.exists(this.lockKey(jobId));
    return locked ? 'active' : 'abandoned';
  }

  /**
   * `deadlineMs`: a step still running after this long has its signal aborted (a model request
   * ends with it); if it has not ended a grace later (10 s, or half the deadline), the attempt fails here — another
   * attempt (or, after the last, the skip) takes the step over, and the outbox fences the hung
   * runner should it ever wake. A worker that stays alive renews its lock for ever, so without
   * this one step that never ends (a request that never answers, an await nothing resolves)
   * would keep its session silent while its job looks alive.
   */
  startWorker(machine: StepProcessor, options: { concurrency: number; connection: RedisClient; lockMs: number; deadlineMs: number }, metrics?: Metrics, onFinalFailure?: (data: StepJobData, error: Error) => void): Worker<StepJobData> {
    machine.start?.();
    this.processor = machine;
    const { concurrency, connection: workerConnection, lockMs, deadlineMs } = options;
    const worker = new Worker<StepJobData>(
      this.name,
      // Three parameters: BullMQ hands the processor an abort signal (cancelJob / cancelAllJobs).
      async (job: Job<StepJobData>, token?: string, signal?: AbortSignal) => {
        if (job.attemptsMade === 0) metrics?.queueWaitSeconds.observe(Math.max(0, Date.now() - job.timestamp) / 1000);
        const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        const { sessionId, seq, epoch = 0, skip = false, reason } = job.data;
        const result = await withDeadline(
          (stepSignal, superseded, stop) => machine.process({ sessionId, seq, epoch, skip, ...(reason ? { reason } : {}) }, { final, signal: stepSignal, superseded, stop }),
          { deadlineMs, graceMs: deadlineGraceMs(deadlineMs), ...(signal ? { signal } : {}) },
          () => {
            metrics?.stepDeadlines.inc();
            this.logger.error({ sessionId, seq, epoch, deadlineMs, jobId: job.id }, 'step ran past its deadline; aborted it');
          },
        );
        if (result === 'elsewhere') {
          // Back to the queue for a worker that can post it, without spending an attempt.
          await job.moveToDelayed(Date.now() + handBackDelayMs, token);
          throw new DelayedError();
        }
        return result;
      },
      {
        connection: workerConnection as unknown as ConnectionOptions,
        prefix: this.prefix,
        concurrency,
        // The lock is renewed every lockDuration/2 while the step runs; a worker killed mid-step
        // stops renewing, and the stalled check (same period) hands the step to another worker.
        lockDuration: lockMs,
        stalledInterval: lockMs,
        maxStalledCount: 2,
      },
    );
    worker.on('failed', (job, error) => {
      this.logger.warn({ err: error, jobId: job?.id, attempts: job?.attemptsMade }, 'step job failed');
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) onFinalFailure?.(job.data, error);
    });
    // A job whose lock could not be renewed may already run elsewhere: stop this copy at its next
    // check (the outbox also fences it).
    worker.on('lockRenewalFailed', (jobIds) => {
      for (const jobId of jobIds) worker.cancelJob(jobId, 'lock lost');
    });
    worker.on('error', (error) => this.logger.warn({ err: error }, 'worker error'));
    this.worker = worker;
    return worker;
  }

  /**
   * Jobs waiting ahead of this session's next step (0 when it is running or next). Workers take
   * jobs from the right end of the wait list, so the position is counted from there: two cheap
   * Redis calls, not a listing of the queue.
   */
  async positionOf(sessionId: string, seq: number, epoch = 0): Promise<number | undefined> {
    const jobId = stepJobId(sessionId, seq, epoch);
    const waitKey = this.queue.keys.wait;
    if (!waitKey) return undefined;
    const [index, length] = await Promise.all([this.connection.lpos(waitKey, jobId), this.connection.llen(waitKey)]);
    if (index !== null) return length - 1 - index;
    const state = await this.queue.getJobState(jobId);
    return state === 'active' ? 0 : undefined;
  }

  /** Stops taking new jobs at once (running ones go on). */
  async pauseWorker(): Promise<void> {
    await this.worker?.pause(true).catch((error: unknown) => this.logger.warn({ err: error }, 'could not pause the worker'));
  }

  resumeWorker(): void {
    this.worker?.resume();
  }

  /**
   * Stops taking jobs at once (the worker's blocking fetch is cut, so no job arriving now is
   * taken) and waits up to `graceMs` for running steps to finish; steps still running after that
   * are cancelled (their abort signals fire) and handed back: their lock lapses and the sweeper
   * or another worker's stall check revives them; the outbox makes the re-run safe.
   */
  async stopWorker(graceMs: number): Promise<void> {
    if (this.worker) {
      const worker = this.worker;
      const graceful = worker.close();
      const timedOut = await Promise.race([graceful.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), graceMs).unref())]);
      if (timedOut) {
        this.logger.warn({ graceMs }, 'steps still running after the grace period; cancelling and handing them back');
        worker.cancelAllJobs('shutdown');
        await Promise.race([worker.close(true), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
      }
    }
    await this.processor?.close?.().catch((error: unknown) => this.logger.warn({ err: error }, 'could not close the step processor'));
  }

  /** `stopWorker(graceMs)`, then the queue's own connections. */
  async close(graceMs: number): Promise<void> {
    await this.stopWorker(graceMs);
    await Promise.race([this.queue.close(), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  }
}
