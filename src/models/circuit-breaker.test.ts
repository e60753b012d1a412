import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type CircuitAdmission, type CircuitPermit } from './circuit-breaker.ts';

function permitOf(admission: CircuitAdmission): CircuitPermit {
  if (!('permit' in admission)) throw new Error(`expected a permit, was told to wait ${admission.waitMs} ms`);
  return admission.permit;
}

function failTimes(breaker: CircuitBreaker, endpoint: string, times: number): void {
  for (let count = 0; count < times; count++) permitOf(breaker.admit(endpoint)).failed();
}

/** Resolves to true when `promise` settles within a turn of the event loop. */
async function settlesSoon(promise: Promise<unknown>): Promise<boolean> {
  return Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 20))]);
}

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures, per endpoint', () => {
    let now = 0;
    const breaker = new CircuitBreaker(3, 1_000, () => now);
    failTimes(breaker, 'a', 2);
    expect('permit' in breaker.admit('a')).toBe(true);
    failTimes(breaker, 'a', 1);
    expect(breaker.admit('a')).toEqual({ waitMs: 1_000, trialSettled: undefined });
    expect('permit' in breaker.admit('b')).toBe(true);
    now = 400;
    expect(breaker.admit('a')).toEqual({ waitMs: 600, trialSettled: undefined });
  });

  it('a success resets the count of consecutive failures', () => {
    const breaker = new CircuitBreaker(2, 1_000, () => 0);
    failTimes(breaker, 'a', 1);
    permitOf(breaker.admit('a')).succeeded();
    failTimes(breaker, 'a', 1);
    expect('permit' in breaker.admit('a')).toBe(true);
  });

  it('when half-open lets exactly one trial through; the others wait until it succeeds', () => {
    let now = 0;
    const breaker = new CircuitBreaker(2, 1_000, () => now);
    failTimes(breaker, 'a', 2);
    now = 1_000;
    const trial = permitOf(breaker.admit('a'));
    expect(trial.trial).toBe(true);
    const second = breaker.admit('a');
    const third = breaker.admit('a');
    expect('permit' in second || 'permit' in third).toBe(false);
    expect('trialSettled' in second && second.trialSettled).toBeInstanceOf(Promise);
    now = 50_000; // however long the trial takes, nobody else gets through meanwhile
    expect('permit' in breaker.admit('a')).toBe(false);

    trial.succeeded();
    const after = permitOf(breaker.admit('a'));
    expect(after.trial).toBe(false);
    expect('permit' in breaker.admit('a')).toBe(true);
  });

  it('a failed trial re-opens the circuit for another full wait', () => {
    let now = 0;
    const breaker = new CircuitBreaker(2, 1_000, () => now);
    failTimes(breaker, 'a', 2);
    now = 1_000;
    permitOf(breaker.admit('a')).failed();
    expect(breaker.admit('a')).toEqual({ waitMs: 1_000, trialSettled: undefined });
    now = 2_000;
    expect(permitOf(breaker.admit('a')).trial).toBe(true);
  });

  it('a released trial (cancelled, or a request error) hands the trial to the next caller without a verdict', () => {
    let now = 0;
    const breaker = new CircuitBreaker(2, 1_000, () => now);
    failTimes(breaker, 'a', 2);
    now = 1_000;
    const first = permitOf(breaker.admit('a'));
    first.released();
    const next = permitOf(breaker.admit('a'));
    expect(next.trial).toBe(true);
    expect('permit' in breaker.admit('a')).toBe(false);
  });

  it('settling a permit twice changes nothing, and an old trial cannot end a newer one', () => {
    let now = 0;
    const breaker = new CircuitBreaker(1, 1_000, () => now);
    failTimes(breaker, 'a', 1);
    now = 1_000;
    const oldTrial = permitOf(breaker.admit('a'));
    oldTrial.failed();
    oldTrial.failed(); // ignored: no extra failure, no extra wait
    now = 2_000;
    const newTrial = permitOf(breaker.admit('a'));
    expect(newTrial.trial).toBe(true);
    oldTrial.released();
    expect('permit' in breaker.admit('a')).toBe(false);
  });

  it('enter() wakes the waiters when the trial settles, and only one caller holds the trial', async () => {
    let now = 0;
    const breaker = new CircuitBreaker(1, 60_000, () => now);
    failTimes(breaker, 'a', 1);
    now = 60_000;
    const callers = [breaker.enter('a'), breaker.enter('a'), breaker.enter('a')];
    const trial = await callers[0]!;
    expect(trial.trial).toBe(true);
    expect(await settlesSoon(callers[1]!)).toBe(false);
    expect(await settlesSoon(callers[2]!)).toBe(false);

    trial.succeeded();
    const others = await Promise.all(callers.slice(1));
    expect(others.map((permit) => permit.trial)).toEqual([false, false]);
  });

  it('enter() gives up with the signal reason when the caller aborts while waiting', async () => {
    const breaker = new CircuitBreaker(1, 60_000, () => 0);
    failTimes(breaker, 'a', 1);
    const controller = new AbortController();
    const waiting = breaker.enter('a', controller.signal);
    controller.abort(new Error('step cancelled'));
    await expect(waiting).rejects.toThrow('step cancelled');
  });
});
