/**
 * Liveness: no session with pending work is ever without a live job.
 *
 * `ensure` looks at one session: if it has steps planned or events waiting, its current step's
 * job (`seq`, `epoch`) must be waiting, delayed or running. A job that is missing is added; a job
 * that failed all its attempts or stalled out (it keeps its id for a day, and BullMQ ignores an
 * add under an existing id), or that is active with its lock lapsed (its worker died), is
 * replaced by a new one under a raised epoch. After
 * `maxRevivals` revivals of the same step, the new job skips the step with a notice instead
 * of running it again (a step that keeps killing its worker must not stop the session for good).
 *
 * Used by the sweeper (every worker, periodically), by the queue's final-failure handler, and
 * by every kick that comes from a person (a message, a command, the terminal's --resume).
 */
import { asTableRoundError, TableRoundError } from '../errors.ts';
import { catalogText } from '../i18n/translate.ts';
import type { Logger } from '../logging/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { SessionStore } from '../store/session-store.ts';
import { isRedisUnavailable } from '../store/redis-connection.ts';
import { RedisScript } from '../store/redis-script.ts';
import { isLiveJobState, type StepFailureReason, type StepQueue } from './step-queue.ts';

export type LivenessResult = 'gone' | 'idle' | 'alive' | 'kicked' | 'revived';

// KEYS[1] meta. ARGV: seq, epoch. Raises the epoch only if the step is still the one looked at.
const reviveScript = new RedisScript(`
local seq = redis.call('HGET', KEYS[1], 'seq')
if seq == false or tonumber(seq) ~= tonumber(ARGV[1]) then return false end
local epoch = tonumber(redis.call('HGET', KEYS[1], 'epoch') or '0')
if epoch ~= tonumber(ARGV[2]) then return false end
local nextEpoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
local revivals = redis.call('HINCRBY', KEYS[1], 'revivals', 1)
return {nextEpoch, revivals}
`);

/** What a job's final failure carries to the step's skip notice: its code and its sentence for the person. */
export function failureReason(error: unknown): StepFailureReason {
  const coded = asTableRoundError(error, isRedisUnavailable(error) ? 'redis_unavailable' : 'internal');
  return coded.text ? { code: coded.code, text: coded.text } : { code: coded.code };
}

/**
 * The error a skipped step is skipped with: the last failure's own sentence (a Redis outage, a
 * refused post …), or — when its jobs were found dead rather than failed — that the step kept
 * stopping the worker that ran it.
 */
export function skipError(reason: StepFailureReason | undefined): TableRoundError {
  if (!reason || reason.code === 'step_abandoned') return new TableRoundError('step_abandoned', 'step revived too often', { text: catalogText('step.abandoned') });
  return new TableRoundError(reason.code, `step failed in every attempt (${reason.code}); skipped`, reason.text ? { text: reason.text } : {});
}

export class StepLiveness {
  constructor(
    private readonly store: SessionStore,
    private readonly queue: StepQueue,
    private readonly logger: Logger,
    private readonly maxRevivals: number,
    private readonly metrics?: Metrics,
  ) {}

  /** Adds the job of the session's current step (idempotent; cheap: one add). */
  async kick(sessionId: string, seq: number, epoch: number): Promise<void> {
    await this.queue.enqueue(sessionId, seq, epoch);
  }

  /**
   * `lastFailure`: why the job just failed for good, when the caller knows (the queue's
   * final-failure handler); a skip says it. Without it a skip says the step kept stopping its
   * worker — what a job found dead (stalled out, or abandoned with its lock lapsed) means.
   */
  async ensure(sessionId: string, lastFailure?: StepFailureReason): Promise<LivenessResult> {
    const work = await this.store.pendingWork(sessionId);
    if (!work.exists) return 'gone';
    if (work.steps === 0 && work.events === 0) return 'idle';
    const state = await this.queue.jobState(sessionId, work.seq, work.epoch);
    if (isLiveJobState(state)) return 'alive';
    if (state === 'unknown') {
      await this.queue.enqueue(sessionId, work.seq, work.epoch);
      return 'kicked';
    }
    // failed (attempts used up, or stalled too often), abandoned (running, but its worker died and
    // the lock lapsed), or completed without committing.
    const revived = (await reviveScript.run(this.store.redis, [this.store.key('meta', sessionId)], [work.seq, work.epoch])) as [number, number] | null;
    if (!revived) return 'alive';
    const [epoch, revivals] = revived;
    const skip = revivals > this.maxRevivals;
    await this.queue.enqueue(sessionId, work.seq, epoch, skip, skip ? lastFailure : undefined);
    this.metrics?.stepsRevived.inc({ outcome: skip ? 'skip' : 'retry' });
    this.logger.warn({ sessionId, seq: work.seq, epoch, revivals, previous: state, skip }, 'step job was dead; revived it under a new epoch');
    return 'revived';
  }
}
