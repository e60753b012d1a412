import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ModelTimeoutError, StreamDeadline } from './stream-deadline.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('StreamDeadline', () => {
  it('allows the first-token wait, then only the silence between chunks', () => {
    const deadline = new StreamDeadline(1_000, 100);
    deadline.start();
    vi.advanceTimersByTime(999);
    expect(deadline.timedOut).toBeUndefined();
    deadline.chunk(true);
    vi.advanceTimersByTime(99);
    deadline.chunk(true);
    vi.advanceTimersByTime(99);
    expect(deadline.timedOut).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(deadline.timedOut).toBeInstanceOf(ModelTimeoutError);
    expect(deadline.timedOut?.phase).toBe('between_chunks');
    expect(deadline.signal.aborted).toBe(true);
  });

  it('a role-only opening chunk does not start the silence clock', () => {
    const deadline = new StreamDeadline(1_000, 100);
    deadline.start();
    deadline.chunk(false);
    vi.advanceTimersByTime(500);
    expect(deadline.timedOut).toBeUndefined();
    vi.advanceTimersByTime(500);
    expect(deadline.timedOut?.phase).toBe('first_token');
  });

  it('stop() disarms it', () => {
    const deadline = new StreamDeadline(100, 100);
    deadline.start();
    deadline.stop();
    vi.advanceTimersByTime(1_000);
    expect(deadline.signal.aborted).toBe(false);
  });
});
