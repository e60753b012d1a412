/**
 * The BullMQ queue of session steps, and its worker. One job = one step of one session (see the
 * serialisation design in step-machine.ts). Jobs are small JSON ({sessionId, seq}) and idempotent.
 */
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logging/logger.ts';
import type { StepMachine } from '../engine/step-machine.ts';
import type { Metrics } from '../observability/metrics.ts';

export interface StepJobData {
  sessionId: string;
  seq: number;
}

export const stepAttempts = 3;

/** `:` is not allowed in BullMQ custom ids; session ids are percent-encoded, so `~` is free. */
export function stepJobId(sessionId: string, seq: number): string {
  return `step__${sessionId.replace(/:/g, '~')}__${seq}`;
}

export class StepQueue {
  readonly queue: Queue<StepJobData>;
  private worker: Worker<StepJobData> | undefined;

  constructor(
    private readonly connection: Redis,
    readonly name: string,
    readonly prefix: string,
    private readonly logger: Logger,
  ) {
    this.queue = new Queue<StepJobData>(name, {
      connection: connection as unknown as ConnectionOptions,
      prefix,
      defaultJobOptions: {
        attempts: stepAttempts,
        backoff: { type: 'exponential', delay: 2_000 },
        // Kept a little while so a late duplicate add of a finished step collapses onto it (a
        // re-created one would be a no-op anyway: the session's seq has moved on).
        removeOnComplete: { age: 120, count: 2_000 },
        removeOnFail: { age: 24 * 3_600 },
      },
    });
    this.queue.on('error', (error) => logger.warn({ err: error }, 'queue error'));
  }

  /** Idempotent: a job with this id that exists already (any state) absorbs the add. */
  async enqueue(sessionId: string, seq: number): Promise<void> {
    await this.queue.add('step', { sessionId, seq }, { jobId: stepJobId(sessionId, seq) });
  }

  startWorker(machine: StepMachine, concurrency: number, workerConnection: Redis, lockMs: number, metrics?: Metrics): Worker<StepJobData> {
    const worker = new Worker<StepJobData>(
      this.name,
      async (job: Job<StepJobData>) => {
        if (job.attemptsMade === 0) metrics?.queueWaitSeconds.observe(Math.max(0, Date.now() - job.timestamp) / 1000);
        const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        return machine.process(job.data.sessionId, job.data.seq, finalAttempt);
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
    worker.on('failed', (job, error) => this.logger.warn({ err: error, jobId: job?.id, attempts: job?.attemptsMade }, 'step job failed'));
    worker.on('error', (error) => this.logger.warn({ err: error }, 'worker error'));
    this.worker = worker;
    return worker;
  }

  /**
   * Jobs waiting ahead of this session's next step (0 when it is running or next). Workers take
   * jobs from the right end of the wait list, so the position is counted from there: two cheap
   * Redis calls, not a listing of the queue.
   */
  async positionOf(sessionId: string, seq: number): Promise<number | undefined> {
    const jobId = stepJobId(sessionId, seq);
    const waitKey = this.queue.keys.wait;
    if (!waitKey) return undefined;
    const [index, length] = await Promise.all([this.connection.lpos(waitKey, jobId), this.connection.llen(waitKey)]);
    if (index !== null) return length - 1 - index;
    const state = await this.queue.getJobState(jobId);
    return state === 'active' ? 0 : undefined;
  }

  /**
   * Stops taking jobs and waits up to `graceMs` for running steps to finish; steps still running
   * after that are handed back (their lock lapses and another worker picks them up as stalled;
   * the seq check makes the re-run safe).
   */
  async close(graceMs: number): Promise<void> {
    if (this.worker) {
      const worker = this.worker;
      const graceful = worker.close();
      const timedOut = await Promise.race([graceful.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), graceMs).unref())]);
      if (timedOut) {
        this.logger.warn({ graceMs }, 'steps still running after the grace period; handing them back');
        await worker.close(true);
      }
    }
    await this.queue.close();
  }
}
