import { describe, expect, it } from 'vitest';
import { withDeadline } from './step-deadline.ts';
import { TableRoundError } from '../errors.ts';
import { StepSupersededError } from './step-outbox.ts';

const never = () => new Promise<never>(() => undefined);

describe('a step past its deadline', () => {
  it('a run that ignores its aborted signal: the attempt fails with step_deadline a grace after the deadline', async () => {
    let seen: AbortSignal | undefined;
    let told = 0;
    const started = Date.now();
    const outcome = withDeadline(
      (signal) => {
        seen = signal;
        return never();
      },
      { deadlineMs: 40, graceMs: 30 },
      () => (told += 1),
    );
    await expect(outcome).rejects.toMatchObject({ code: 'step_deadline' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(65);
    expect(told).toBe(1);
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBeInstanceOf(TableRoundError);
  });

  it('a run that honours its signal ends with its own outcome, inside the grace', async () => {
    const outcome = withDeadline(
      (signal) => new Promise<string>((resolve) => signal.addEventListener('abort', () => resolve('finished as it stood'))),
      { deadlineMs: 20, graceMs: 5_000 },
      () => undefined,
    );
    await expect(outcome).resolves.toBe('finished as it stood');
  });

  it('a run that ends in time is not aborted, and the signal it was given (BullMQ cancel) still reaches it', async () => {
    let told = 0;
    let seen: AbortSignal | undefined;
    await expect(
      withDeadline(
        async (signal) => {
          seen = signal;
          return 'ran';
        },
        { deadlineMs: 30, graceMs: 10 },
        () => (told += 1),
      ),
    ).resolves.toBe('ran');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(told).toBe(0);
    expect(seen?.aborted).toBe(false);

    const cancel = new AbortController();
    const cancelled = withDeadline((signal) => new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))), { deadlineMs: 60_000, graceMs: 10, signal: cancel.signal }, () => undefined);
    cancel.abort(new Error('lock lost'));
    await expect(cancelled).rejects.toThrow('lock lost');
  });

  it('superseded: aborts when the job is cancelled (lock lost) or when the grace runs out, not at the deadline itself', async () => {
    let seenSuperseded: AbortSignal | undefined;
    let seenStep: AbortSignal | undefined;
    const hanging = withDeadline(
      (signal, superseded) => {
        seenStep = signal;
        seenSuperseded = superseded;
        return never();
      },
      { deadlineMs: 30, graceMs: 60 },
      () => undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Past the deadline, inside the grace: the step is told to stop, but still owns its step.
    expect(seenStep?.aborted).toBe(true);
    expect(seenSuperseded?.aborted).toBe(false);
    await expect(hanging).rejects.toMatchObject({ code: 'step_deadline' });
    expect(seenSuperseded?.reason).toBeInstanceOf(StepSupersededError);

    const cancel = new AbortController();
    let cancelledSuperseded: AbortSignal | undefined;
    const cancelled = withDeadline(
      (signal, superseded) => {
        cancelledSuperseded = superseded;
        return new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(new Error('cancelled'))));
      },
      { deadlineMs: 60_000, graceMs: 10, signal: cancel.signal },
      () => undefined,
    );
    cancel.abort('lock lost');
    await expect(cancelled).rejects.toThrow('cancelled');
    expect(cancelledSuperseded?.reason).toBeInstanceOf(StepSupersededError);
  });

  it('abort: the run stops its own signal with its reason (a /stop), without superseding it or counting a deadline', async () => {
    const stopped = new Error('stopped by a person');
    let superseded: AbortSignal | undefined;
    let deadlines = 0;
    const outcome = await withDeadline(
      async (signal, cutOff, abort) => {
        superseded = cutOff;
        abort(stopped);
        abort(new Error('a second stop'));
        return signal.aborted ? signal.reason : undefined;
      },
      { deadlineMs: 60_000, graceMs: 10 },
      () => deadlines++,
    );
    expect(outcome).toBe(stopped);
    expect(superseded?.aborted).toBe(false);
    expect(deadlines).toBe(0);
  });
});
