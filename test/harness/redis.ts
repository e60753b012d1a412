/**
 * Per-test Redis isolation on the shared test server: a random key prefix and queue name, and a
 * cleanup that deletes what the test wrote.
 */
import { inject } from 'vitest';
import { Redis } from 'ioredis';

export { deleteKeys, uniqueName } from './delete-keys.ts';

export function testRedisUrl(): string {
  return inject('redisUrl');
}

export function testRedis(): Redis {
  return new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
}
