/**
 * Our own retry loop for model calls (the SDK's is turned off): the SDK's wait honours any
 * Retry-After without a cap and cannot be interrupted by an abort, and it does not retry streams
 * cut midway (undici's `TypeError: terminated`). Here provider failures — 408/409/429/5xx,
 * connection errors, cut or stalled streams, timeouts and empty completions (error-class.ts, the
 * same set the circuit breaker counts) — are retried with exponential backoff and jitter; request
 * errors (400/413/422, a context overflow, a content policy) and the caller's own abort never are.
 * Retry-After (`retry-after-ms` or `retry-after` seconds) is honoured up to `maxWaitMs`; a longer
 * demand fails at once with the rate-limit error instead of holding a worker for minutes.
 */
import { APIError } from 'openai';
import { isProviderFailure } from './error-class.ts';

export interface RetryOptions {
  retries: number;
  baseDelayMs?: number;
  maxWaitMs?: number;
  signal?: AbortSignal;
  onRetry?: (error: unknown, attempt: number, waitMs: number) => void;
}

export function isRetryable(error: unknown): boolean {
  return isProviderFailure(error);
}

export function retryAfterMs(error: unknown): number | undefined {
  if (!(error instanceof APIError) || !error.headers) return undefined;
  const headers = error.headers as Headers;
  const milliseconds = Number(headers.get?.('retry-after-ms'));
  if (Number.isFinite(milliseconds) && milliseconds > 0) return milliseconds;
  const raw = headers.get?.('retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

export async function withRetries<T>(run: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(attempt);
    } catch (error) {
      if (attempt > options.retries || !isRetryable(error) || options.signal?.aborted) throw error;
      const demanded = retryAfterMs(error);
      if (demanded !== undefined && demanded > maxWaitMs) throw error;
      const backoff = Math.min(baseDelayMs * 2 ** (attempt - 1), 20_000) * (0.75 + Math.random() * 0.5);
      const waitMs = Math.round(demanded ?? backoff);
      options.onRetry?.(error, attempt, waitMs);
      await sleep(waitMs, options.signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
