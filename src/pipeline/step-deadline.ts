/**
 * The step deadline (`STEP_DEADLINE_MS`): a worker that stays alive renews its job's lock for
 * ever, so a step that never ends (a request that never answers, an await nothing resolves) would
 * keep its session silent while its job looks alive. The worker runs every step through
 * `withDeadline` (step-queue.ts); what a step that ran out is told is in the catalogs
 * (`step.deadline`).
 */
import { TableRoundError } from '../errors.ts';
import { catalogText } from '../i18n/translate.ts';
import { StepSupersededError } from './step-outbox.ts';

/** How long a step aborted at its deadline has to end (finish its stream, say so) before its attempt fails without it. */
export const deadlineGraceMs = (deadlineMs: number) => Math.min(10_000, Math.round(deadlineMs / 2));

/**
 * Runs `run` with a signal that aborts at `deadlineMs` (or with `signal`, and its reason, or when
 * `run` calls `abort`, the third thing it gets, with the reason it gives), and rejects
 * `graceMs` after the deadline if `run` has not settled by then (it is left to settle on its own).
 * `superseded`, the second signal `run` gets, aborts (with a `StepSupersededError`) when the run
 * no longer owns its step: `signal` aborted (BullMQ cancelled the job: its lock was lost, or the
 * worker is shutting down), or the grace ran out.
 */
export async function withDeadline<T>(run: (signal: AbortSignal, superseded: AbortSignal, abort: (reason: Error) => void) => Promise<T>, options: { deadlineMs: number; graceMs: number; signal?: AbortSignal }, onDeadline: () => void): Promise<T> {
  const deadline = new AbortController();
  const superseded = new AbortController();
  const cutOff = (why: string) => {
    if (!superseded.signal.aborted) superseded.abort(new StepSupersededError(why));
  };
  // The job's cancellation aborts the step's signal too (forwarded: cheaper than AbortSignal.any,
  // which tracks its sources with weak references, on every step).
  const cancelled = () => {
    cutOff('its job was cancelled');
    if (!deadline.signal.aborted) deadline.abort(options.signal?.reason);
  };
  if (options.signal?.aborted) cancelled();
  else options.signal?.addEventListener('abort', cancelled, { once: true });
  let grace: NodeJS.Timeout | undefined;
  let giveUp: ((reason: unknown) => void) | undefined;
  const timer = setTimeout(() => {
    onDeadline();
    const expired = new TableRoundError('step_deadline', `step ran past its ${options.deadlineMs} ms deadline`, { text: catalogText('step.deadline', { minutes: Math.max(1, Math.round(options.deadlineMs / 60_000)) }) });
    deadline.abort(expired);
    grace = setTimeout(() => {
      cutOff('it ran past its deadline');
      giveUp?.(expired);
    }, options.graceMs);
  }, options.deadlineMs);
  const running = run(deadline.signal, superseded.signal, (reason) => {
    if (!deadline.signal.aborted) deadline.abort(reason);
  });
  try {
    return await Promise.race([running, new Promise<never>((_, reject) => (giveUp = reject))]);
  } finally {
    clearTimeout(timer);
    clearTimeout(grace);
    options.signal?.removeEventListener('abort', cancelled);
    // A run that outlives its grace ends (or fails) unobserved.
    running.catch(() => undefined);
  }
}
