/**
 * Stops hammering a failing provider. After `threshold` consecutive failures of an endpoint the
 * circuit opens for `openMs`: callers are told to wait. When that time has passed the circuit is
 * half-open and exactly one caller gets through as the trial; everyone else keeps waiting until
 * the trial settles — a success closes the circuit, a failure re-opens it for another `openMs`,
 * and a release (the trial was cancelled, or the provider refused the request itself) hands the
 * trial to the next caller. Per process: each worker learns on its own.
 *
 * Contract: every permit from `admit` is settled exactly once — `succeeded`, `failed` or
 * `released` (later calls are ignored). Settle in a `finally`: a trial permit that is never
 * settled keeps every other caller of that endpoint waiting for ever.
 *
 * Only failures that mean the provider is unwell should be reported as `failed` (see
 * error-class.ts): a 400 about the request says nothing about the provider.
 */

export interface CircuitPermit {
  /** True when this call is the half-open trial. */
  readonly trial: boolean;
  succeeded(): void;
  failed(): void;
  /** Neither verdict: the call was cancelled, or the request itself was refused. */
  released(): void;
}

export type CircuitAdmission =
  | { permit: CircuitPermit }
  | {
      /** Ask again after this long at the latest. */
      waitMs: number;
      /** While a trial is in flight: settles when it does (ask again then). */
      trialSettled: Promise<void> | undefined;
    };

interface Trial {
  settled: Promise<void>;
  wake: () => void;
}

interface EndpointState {
  failures: number;
  openUntil: number;
  /** The half-open trial in flight; its `settled` is what the waiters wait on. */
  trial: Trial | undefined;
}

export class CircuitBreaker {
  private readonly endpoints = new Map<string, EndpointState>();

  constructor(
    private readonly threshold = 5,
    private readonly openMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Lets a call through (with a permit to settle) or says how long to wait. */
  admit(endpoint: string): CircuitAdmission {
    const state = this.endpoints.get(endpoint);
    if (!state || state.failures < this.threshold) return { permit: this.permit(endpoint, undefined) };
    if (state.trial) return { waitMs: this.openMs, trialSettled: state.trial.settled };
    const remaining = state.openUntil - this.now();
    if (remaining > 0) return { waitMs: remaining, trialSettled: undefined };
    let wake = (): void => undefined;
    const settled = new Promise<void>((resolve) => {
      wake = resolve;
    });
    state.trial = { settled, wake };
    return { permit: this.permit(endpoint, state.trial) };
  }

  /**
   * Waits, without calling, until the circuit lets this caller through; `onWait` hears each wait
   * (for a log line). Throws the signal's reason when the caller aborts while waiting.
   */
  async enter(endpoint: string, signal?: AbortSignal, onWait?: (waitMs: number, trialInFlight: boolean) => void): Promise<CircuitPermit> {
    for (;;) {
      signal?.throwIfAborted();
      const admission = this.admit(endpoint);
      if ('permit' in admission) return admission.permit;
      onWait?.(admission.waitMs, admission.trialSettled !== undefined);
      await firstOf(admission.waitMs, admission.trialSettled, signal);
    }
  }

  /** `trial`: the trial this permit is, if it is one. */
  private permit(endpoint: string, trial: Trial | undefined): CircuitPermit {
    let settled = false;
    const settle = (verdict: 'succeeded' | 'failed' | 'released'): void => {
      if (settled) return;
      settled = true;
      const state = this.endpoints.get(endpoint);
      if (verdict === 'succeeded') {
        this.endpoints.delete(endpoint);
        state?.trial?.wake();
        return;
      }
      if (verdict === 'failed') {
        const next = state ?? { failures: 0, openUntil: 0, trial: undefined };
        next.failures += 1;
        if (next.failures >= this.threshold) next.openUntil = this.now() + this.openMs;
        this.endpoints.set(endpoint, next);
      }
      // Only the trial's own verdict ends it: an older call failing meanwhile does not.
      if (trial && state?.trial === trial) {
        state.trial = undefined;
        trial.wake();
      }
    };
    return {
      trial: trial !== undefined,
      succeeded: () => settle('succeeded'),
      failed: () => settle('failed'),
      released: () => settle('released'),
    };
  }
}

/** Resolves after `ms`, when `settled` does, or when `signal` aborts — whichever comes first. */
function firstOf(ms: number, settled: Promise<void> | undefined, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    void settled?.then(done);
  });
}
