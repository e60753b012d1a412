/**
 * Platform failures a test asks the emulated Slack for, answered instead of running the method,
 * in the two shapes the Web API documents (https://docs.slack.dev/apis/web-api/#responses,
 * https://docs.slack.dev/apis/web-api/rate-limits):
 * - an error: HTTP 200 `{"ok": false, "error": "<code>"}` — e.g. `internal_error` (Slack's
 *   transient failure, common to every method) or a method's own code;
 * - a rate limit: HTTP 429 with `Retry-After: <seconds>` and `{"ok": false, "error": "ratelimited"}`.
 * Rules are tried in the order added; a call answered by one rule never reaches the next, so a
 * rule's `skip` and `times` count the matching calls that reached it.
 * Injected refusals are logged here, not among the emulator's `rateLimitHits` (which count the
 * limits the bot itself overran: a test treats those as bugs).
 */
import type { MethodArgs } from './web-api-methods.ts';

export type SlackFault = { error: string } | { retryAfterSeconds: number };

export interface SlackFaultRule {
  method: string;
  fault: SlackFault;
  /** Matching calls let through before the first failure (0, the default: fail from the first). */
  skip?: number;
  /** Matching calls failed after those (default 1). */
  times?: number;
  /** Only calls whose arguments pass (a channel, a ts). */
  when?: (args: MethodArgs) => boolean;
}

export interface InjectedSlackFault {
  method: string;
  status: number;
  error: string;
  retryAfterSeconds?: number;
  at: number;
}

export interface FaultAnswer {
  status: number;
  body: { ok: false; error: string };
  headers: Record<string, string>;
}

export class SlackFaults {
  private readonly rules: { rule: SlackFaultRule; seen: number }[] = [];
  readonly injected: InjectedSlackFault[] = [];

  add(rule: SlackFaultRule): void {
    this.rules.push({ rule, seen: 0 });
  }

  clear(): void {
    this.rules.length = 0;
  }

  /** The answer to give this call instead of running it, if a rule takes it. */
  take(method: string, args: MethodArgs): FaultAnswer | undefined {
    for (const entry of this.rules) {
      const { rule } = entry;
      if (rule.method !== method || (rule.when && !rule.when(args))) continue;
      entry.seen += 1;
      const skip = rule.skip ?? 0;
      if (entry.seen <= skip || entry.seen > skip + (rule.times ?? 1)) continue;
      const at = Date.now();
      if ('error' in rule.fault) {
        this.injected.push({ method, status: 200, error: rule.fault.error, at });
        return { status: 200, body: { ok: false, error: rule.fault.error }, headers: {} };
      }
      const retryAfterSeconds = rule.fault.retryAfterSeconds;
      this.injected.push({ method, status: 429, error: 'ratelimited', retryAfterSeconds, at });
      return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(retryAfterSeconds) } };
    }
    return undefined;
  }
}
