import { afterAll, describe, expect, it } from 'vitest';
import { deleteKeys, testRedis, uniqueName } from '../../test/harness/redis.ts';
import { TableRoundError } from '../../src/errors.ts';
import { handleOnce, inFlightSeconds, redeliveryMayFix } from './inbound-claim.ts';

const redis = testRedis();
const prefix = uniqueName('claim');
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

describe('handleOnce', () => {
  it('acts once: a delivery while the first is in flight, or after it was handled, is a duplicate', async () => {
    const key = `${prefix}:handled`;
    let inFlight: string | undefined;
    const first = await handleOnce(redis, key, 3_600, async () => {
      inFlight = await handleOnce(redis, key, 3_600, async () => 'handled');
      expect(await redis.ttl(key)).toBeLessThanOrEqual(inFlightSeconds);
      return 'handled';
    });
    expect([first, inFlight]).toEqual(['handled', 'duplicate']);
    expect(await redis.ttl(key)).toBeGreaterThan(inFlightSeconds);
    expect(await handleOnce(redis, key, 3_600, async () => 'handled')).toBe('duplicate');
  });

  it('lets the next delivery act when the work failed in a way it can get past, or threw', async () => {
    const key = `${prefix}:retry`;
    expect(await handleOnce(redis, key, 3_600, async () => 'retry')).toBe('retry');
    await expect(handleOnce(redis, key, 3_600, () => Promise.reject(new Error('Connection is closed.')))).rejects.toThrow('Connection is closed.');
    expect(await redis.exists(key)).toBe(0);
    expect(await handleOnce(redis, key, 3_600, async () => 'handled')).toBe('handled');
  });

  it('counts Redis being unreachable and surprises as fixable by a redelivery, refusals not', () => {
    expect(redeliveryMayFix(new Error('boom'))).toBe(true);
    expect(redeliveryMayFix(new TableRoundError('redis_unavailable', 'down'))).toBe(true);
    expect(redeliveryMayFix(new TableRoundError('bad_command', 'empty topic'))).toBe(false);
  });
});
