/**
 * Key cleanup shared by tests and benchmarks (no vitest import, so benchmarks can use it).
 */
import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../../src/store/redis-connection.ts';

export function uniqueName(label = 't'): string {
  return `${label}${randomBytes(5).toString('hex')}`;
}

/** Deletes every key that starts with one of the prefixes. */
export async function deleteKeys(redis: RedisClient, ...prefixes: string[]): Promise<void> {
  for (const prefix of prefixes) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  }
}
