import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { testRedisUrl, uniqueName } from '../../test/harness/redis.ts';
import { hsetExpire, incrbyExpireOnce, zaddExpire } from './expiring-writes.ts';

const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null, enableAutoPipelining: true });
const prefix = uniqueName('expiring');
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('writes that carry their expiry', () => {
  it('sets a hash field or a sorted-set member together with the key’s TTL', async () => {
    await hsetExpire(redis, `${prefix}:h`, 'f', 'v', 60_000);
    await zaddExpire(redis, `${prefix}:z`, 5, 'm', 30_000);
    expect(await redis.hget(`${prefix}:h`, 'f')).toBe('v');
    expect(await redis.pttl(`${prefix}:h`)).toBeGreaterThan(59_000);
    expect(await redis.zscore(`${prefix}:z`, 'm')).toBe('5');
    expect(await redis.pttl(`${prefix}:z`)).toBeGreaterThan(29_000);
  });

  it('starts a counter’s window at its first increment and never extends it', async () => {
    const key = `${prefix}:c`;
    expect(await incrbyExpireOnce(redis, key, 7, 100)).toBe(7);
    await redis.expire(key, 50); // time has passed in the window
    expect(await incrbyExpireOnce(redis, key, 3, 100)).toBe(10);
    expect(await redis.ttl(key)).toBeLessThanOrEqual(50);
  });
});
