import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../src/store/keys.ts';

/**
 * Events API retries (`X-Slack-Retry-Num`) and duplicate deliveries: the first process to claim an
 * event_id handles it (`SET NX EX`); later claims are refused. Idempotent: safe to call twice.
 */
export async function claimEvent(redis: Redis, keys: RedisKeys, eventId: string, ttlSeconds = 3_600): Promise<boolean> {
  const result = await redis.set(keys.inboundSeen('slack', eventId), '1', 'EX', ttlSeconds, 'NX');
  return result === 'OK';
}
