/**
 * Platform failures a test asks the emulated Discord for, answered instead of running the route,
 * in the shapes Discord documents (https://discord.com/developers/docs/topics/opcodes-and-status-codes#http,
 * https://discord.com/developers/docs/topics/rate-limits):
 * - a JSON error: the HTTP status with `{"message": "...", "code": <JSON error code>}` — e.g. 404
 *   `{"message": "Unknown Message", "code": 10008}` (the message was deleted), or a 5xx
 *   (`code: 0`; "these are rare", and clients retry them);
 * - a rate limit: 429 with `{"message": "You are being rate limited.", "retry_after": <seconds>,
 *   "global": false}` and the `Retry-After` and `X-RateLimit-Scope` headers.
 * Rules are tried in the order added; a call answered by one rule never reaches the next, so a
 * rule's `skip` and `times` count the matching calls that reached it.
 * Injected answers are logged here, not in the emulator's `rateLimitHits` (which count the
 * limits the bot itself overran).
 */
import type { RouteResponse } from './http-kit.ts';

export type DiscordFault = { status: number; code: number; message: string } | { status: 429; retryAfterSeconds: number };

/** The documented failures the tests use. */
export const discordFaults = {
  unknownMessage: { status: 404, code: 10008, message: 'Unknown Message' },
  serverError: { status: 500, code: 0, message: '500: Internal Server Error' },
  rateLimited: (retryAfterSeconds: number): DiscordFault => ({ status: 429, retryAfterSeconds }),
} as const satisfies Record<string, DiscordFault | ((seconds: number) => DiscordFault)>;

export interface DiscordFaultRule {
  method: string;
  /** Matched against the API path without `/api/v10`, e.g. `^/webhooks/\d+/[^/]+/messages/\d+$`. */
  path: RegExp;
  fault: DiscordFault;
  /** Matching requests let through before the first failure (0, the default: fail from the first). */
  skip?: number;
  /** Matching requests failed after those (default 1). */
  times?: number;
}

export interface InjectedDiscordFault {
  method: string;
  path: string;
  status: number;
  at: number;
}

export class DiscordFaults {
  private readonly rules: { rule: DiscordFaultRule; seen: number }[] = [];
  readonly injected: InjectedDiscordFault[] = [];

  add(rule: DiscordFaultRule): void {
    this.rules.push({ rule, seen: 0 });
  }

  /** The answer to give this request instead of routing it, if a rule takes it. */
  take(method: string, path: string): RouteResponse | undefined {
    for (const entry of this.rules) {
      const { rule } = entry;
      if (rule.method !== method || !rule.path.test(path)) continue;
      entry.seen += 1;
      const skip = rule.skip ?? 0;
      if (entry.seen <= skip || entry.seen > skip + (rule.times ?? 1)) continue;
      const { fault } = rule;
      this.injected.push({ method, path, status: fault.status, at: Date.now() });
      if ('retryAfterSeconds' in fault) {
        return {
          status: 429,
          headers: { 'retry-after': String(Math.ceil(fault.retryAfterSeconds)), 'x-ratelimit-scope': 'user' },
          body: { message: 'You are being rate limited.', retry_after: fault.retryAfterSeconds, global: false },
        };
      }
      return { status: fault.status, body: { message: fault.message, code: fault.code } };
    }
    return undefined;
  }
}
