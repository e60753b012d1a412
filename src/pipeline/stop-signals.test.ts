/**
 * The stop listener on real Redis pub/sub: a stop message aborts the watched step of that session
 * and seq only — not another seq, not a step that planned the stop itself — a watch that starts
 * after its message still sees it, and while the subscriber is not listening the durable
 * request is polled instead.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { testRedis, uniqueName } from '../../test/harness/redis.ts';
import { createLogger } from '../logging/logger.ts';
import type { StopRequest } from '../session/session-types.ts';
import { isStopRequested, publishStop, StopSignals } from './stop-signals.ts';

const publisher = testRedis();
const channel = `${uniqueName('stop')}:stop`;
const logger = createLogger('silent');
const listeners: StopSignals[] = [];
afterAll(async () => {
  for (const listener of listeners) await listener.close();
  publisher.disconnect();
});

async function listening(): Promise<StopSignals> {
  const subscriber = testRedis();
  const listener = new StopSignals(subscriber, channel, logger, { pollMs: 100, recentMs: 30_000 });
  listeners.push(listener);
  listener.start();
  // Subscribed once a message published now is delivered.
  const probe = listener.watch({ sessionId: 'probe', seq: 0, planned: new Set(), readRequest: async () => undefined });
  const deadline = Date.now() + 5_000;
  while (!probe.signal.aborted && Date.now() < deadline) {
    await publishStop(publisher, channel, { sessionId: 'probe', seq: 0, eventId: 'probe' });
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  probe.release();
  return listener;
}

const noRequest = async (): Promise<StopRequest | undefined> => undefined;
const until = async (check: () => boolean) => {
  const deadline = Date.now() + 3_000;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
};

describe('StopSignals', () => {
  it('aborts a watch with the attempt signal it carries, with that reason, until released', async () => {
    const listener = new StopSignals(testRedis(), channel, logger);
    const attempt = new AbortController();
    const watch = listener.watch({ sessionId: 'a1', seq: 1, planned: new Set(), readRequest: noRequest }, attempt.signal);
    const cancelled = new Error('job cancelled');
    attempt.abort(cancelled);
    expect(watch.signal.aborted).toBe(true);
    expect(watch.signal.reason).toBe(cancelled);
    expect(isStopRequested(watch.signal)).toBe(false);
    // Released, a watch no longer listens to the attempt.
    const later = new AbortController();
    const released = listener.watch({ sessionId: 'a1', seq: 2, planned: new Set(), readRequest: noRequest }, later.signal);
    released.release();
    later.abort(new Error('after'));
    expect(released.signal.aborted).toBe(false);
    await listener.close();
  });

  it('aborts the watched step of that session and seq, unless the step planned that stop itself', async () => {
    const listener = await listening();
    const running = listener.watch({ sessionId: 's1', seq: 4, planned: new Set(), readRequest: noRequest });
    const otherSeq = listener.watch({ sessionId: 's1', seq: 5, planned: new Set(), readRequest: noRequest });
    const plannedIt = listener.watch({ sessionId: 's2', seq: 1, planned: new Set(['e2']), readRequest: noRequest });
    await publishStop(publisher, channel, { sessionId: 's1', seq: 4, eventId: 'e1' });
    await publishStop(publisher, channel, { sessionId: 's2', seq: 1, eventId: 'e2' });
    await until(() => running.signal.aborted);
    expect(isStopRequested(running.signal)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(otherSeq.signal.aborted).toBe(false);
    expect(plannedIt.signal.aborted).toBe(false);
    // A step that starts right after its stop was published (between its snapshot and its watch) is stopped too.
    const late = listener.watch({ sessionId: 's1', seq: 4, planned: new Set(), readRequest: noRequest });
    expect(isStopRequested(late.signal)).toBe(true);
  });

  it('given the attempt\'s own abort, stops that very signal (no signal of its own), and not once released', async () => {
    const listener = await listening();
    const attempt = new AbortController();
    const stop = (reason: Error) => attempt.abort(reason);
    const watch = listener.watch({ sessionId: 's4', seq: 2, planned: new Set(), readRequest: noRequest }, { signal: attempt.signal, abort: stop });
    expect(watch.signal).toBe(attempt.signal);
    await publishStop(publisher, channel, { sessionId: 's4', seq: 2, eventId: 'e4' });
    await until(() => attempt.signal.aborted);
    expect(isStopRequested(attempt.signal)).toBe(true);
    // Released, the watch no longer stops its attempt.
    const next = new AbortController();
    const released = listener.watch({ sessionId: 's4', seq: 3, planned: new Set(), readRequest: noRequest }, { signal: next.signal, abort: (reason) => next.abort(reason) });
    released.release();
    await publishStop(publisher, channel, { sessionId: 's4', seq: 3, eventId: 'e5' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(next.signal.aborted).toBe(false);
  });

  it('reads the durable request while it cannot listen', async () => {
    const listener = await listening();
    const durable: { request?: StopRequest } = {};
    const running = listener.watch({ sessionId: 's3', seq: 7, planned: new Set(), readRequest: async () => durable.request });
    // The subscriber drops (a network blip): messages published now are lost.
    (listener as unknown as { subscriber: { disconnect(reconnect: boolean): void } }).subscriber.disconnect(true);
    durable.request = { seq: 7, eventId: 'e3' };
    await until(() => running.signal.aborted);
    expect(isStopRequested(running.signal)).toBe(true);
  });
});
