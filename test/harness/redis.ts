/**
 * Per-test Redis isolation on the shared test server: a random key prefix and queue name, and a
 * cleanup that deletes what the test wrote.
 */
import { inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export function testRedisUrl(): string {
  return inject('redisUrl');
}

export function uniqueName(label = 't'): string {
  return `${label}${randomBytes(5).toString('hex')}`;
}

export function testRedis(): Redis {
  return new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
}

/** Deletes every key that starts with one of the prefixes. */
export async function deleteKeys(redis: Redis, ...prefixes: string[]): Promise<void> {
  for (const prefix of prefixes) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  }
}
