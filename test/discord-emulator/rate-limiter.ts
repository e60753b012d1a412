/**
 * Discord-style rate limits: fixed windows that start with the first request in a bucket, and
 * the headers Discord sends (`X-RateLimit-*`). Hidden "shared" limits (the per-channel webhook
 * limit) send no headers until they answer 429 with `X-RateLimit-Scope: shared`.
 */
import { createHash } from 'node:crypto';

export interface LimitSpec {
  limit: number;
  windowMs: number;
}

export interface LimitCheck {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetAfterMs: number;
  bucketHash: string;
  /** Requests counted in the current window (including this one when allowed), and when it opened. */
  count: number;
  windowStartedAt: number;
}

interface Window {
  startedAt: number;
  count: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts one request in the bucket when it fits; returns the header values either way. */
  take(bucket: string, spec: LimitSpec): LimitCheck {
    const now = this.now();
    let window = this.windows.get(bucket);
    if (!window || now - window.startedAt >= spec.windowMs) {
      window = { startedAt: now, count: 0 };
      this.windows.set(bucket, window);
    }
    const resetAfterMs = Math.max(0, window.startedAt + spec.windowMs - now);
    const bucketHash = createHash('sha1').update(bucket.replace(/:\d+$/, '')).digest('hex').slice(0, 16);
    const windowStartedAt = window.startedAt;
    if (window.count >= spec.limit) return { allowed: false, limit: spec.limit, remaining: 0, resetAfterMs, bucketHash, count: window.count, windowStartedAt };
    window.count += 1;
    return { allowed: true, limit: spec.limit, remaining: spec.limit - window.count, resetAfterMs, bucketHash, count: window.count, windowStartedAt };
  }

  /** Checks without counting (for all-or-nothing checks across several buckets). */
  peek(bucket: string, spec: LimitSpec): boolean {
    const window = this.windows.get(bucket);
    if (!window || this.now() - window.startedAt >= spec.windowMs) return true;
    return window.count < spec.limit;
  }

  reset(): void {
    this.windows.clear();
  }
}

export function rateLimitHeaders(check: LimitCheck, now = Date.now()): Record<string, string> {
  return {
    'x-ratelimit-limit': String(check.limit),
    'x-ratelimit-remaining': String(check.remaining),
    'x-ratelimit-reset': ((now + check.resetAfterMs) / 1000).toFixed(3),
    'x-ratelimit-reset-after': (check.resetAfterMs / 1000).toFixed(3),
    'x-ratelimit-bucket': check.bucketHash,
  };
}
