/**
 * "This message was certainly not sent": what an adapter says of a failure that came before its
 * platform call (its pacing — a Redis budget — refused or failed). The outbox then withdraws the
 * message's intent (step-outbox.ts `sendOnce`), so a re-run sends it without first asking the
 * platform whether an interrupted attempt had sent it: a look-up costs a rate-limited call
 * (Slack's `conversations.replies` is Tier 3), and under a storm of Redis faults those look-ups
 * were what kept sessions waiting. A failure not marked keeps the intent (outcome unknown).
 */
const notSent = Symbol('tableround.notSent');

/** Runs what must happen before the platform call; if it fails, the failure is marked not sent. */
export async function beforeSending<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error !== null && typeof error === 'object') Object.defineProperty(error, notSent, { value: true });
    throw error;
  }
}

/** Whether `error` (or an error it wraps) came before the platform call. */
export function wasNotSent(error: unknown): boolean {
  for (let current = error, depth = 0; current !== null && typeof current === 'object' && depth < 5; current = (current as { cause?: unknown }).cause, depth += 1) {
    if ((current as { [notSent]?: boolean })[notSent] === true) return true;
  }
  return false;
}
