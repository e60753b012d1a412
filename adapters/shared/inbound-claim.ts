/**
 * Once per inbound event, for the events that do not go through a session's inbox: a mention that
 * starts a session, a command typed as a mention. Platforms deliver an event again (Slack's
 * retries, a gateway's replay) and only one delivery may act.
 *
 * The claim is one key with a TTL, in three states:
 * - taken for `inFlightSeconds` before the work (`SET NX EX`): a delivery meanwhile is a duplicate;
 * - kept for `handledSeconds` once the work is done, whatever the person was told;
 * - dropped (`DEL`) when the work failed in a way a redelivery can fix (Redis unreachable while the
 *   event was being written, a bug): the redelivery is then handled, not taken for a duplicate.
 * A process that dies mid-work leaves the claim to expire after `inFlightSeconds` (so do a failed
 * `DEL` and a failed extension), so a later redelivery — Slack retries after 1 and 5 minutes — is
 * handled.
 *
 * People's messages are not claimed here: the inbox script (src/store/session-scripts.ts) writes
 * the event and its "seen" mark in one step, so a failed write leaves no mark and the redelivery
 * is taken, once. A claim before it would only turn that redelivery into a duplicate.
 */
import type { RedisClient } from '../../src/store/redis-connection.ts';
import { TableRoundError } from '../../src/errors.ts';

/** How long a claim holds while its event is being handled (seconds): longer than any handling, shorter than Slack's retry schedule. */
export const inFlightSeconds = 60;

/** `handled`: done (the claim is kept); `retry`: failed in a way a redelivery can fix (the claim is dropped). */
export type Handling = 'handled' | 'retry';

/**
 * Runs `work` unless the event was claimed already (`duplicate`). A throw from `work` counts as
 * `retry` and is rethrown. `handledSeconds`: how long a handled event stays claimed.
 */
export async function handleOnce(redis: RedisClient, key: string, handledSeconds: number, work: () => Promise<Handling>): Promise<Handling | 'duplicate'> {
  if ((await redis.set(key, 'in-flight', 'EX', inFlightSeconds, 'NX')) !== 'OK') return 'duplicate';
  let outcome: Handling = 'retry';
  try {
    outcome = await work();
    return outcome;
  } finally {
    // Best effort: a claim left behind expires after inFlightSeconds.
    const settle = outcome === 'handled' ? redis.set(key, 'handled', 'EX', handledSeconds, 'XX') : redis.del(key);
    await settle.catch(() => undefined);
  }
}

/** A failure a later delivery of the same event can get past: RedisClient unreachable, or something unexpected. */
export function redeliveryMayFix(error: unknown): boolean {
  return !(error instanceof TableRoundError) || error.code === 'redis_unavailable' || error.code === 'internal';
}
