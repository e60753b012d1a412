import { Redis } from 'ioredis';
import type { Logger } from '../logging/logger.ts';
import { TableRoundError } from '../errors.ts';

/**
 * A Redis connection that reconnects with capped backoff forever.
 * - `failFast` (the main connection: stores, enqueueing): while Redis is down, commands fail at
 *   once instead of queueing (`enableOfflineQueue: false`, as BullMQ advises for producers), so a
 *   person is told to retry rather than left waiting, and nothing is acknowledged that was not
 *   written.
 * - otherwise (BullMQ workers' blocking connections): `maxRetriesPerRequest: null`, commands
 *   wait for the reconnect, as BullMQ requires.
 * - `autoPipelining` (the main connection): the commands of one event-loop turn go out in one
 *   socket write (ioredis `enableAutoPipelining`) — with hundreds of steps in flight a write per
 *   command was a third of the process's CPU (bench: turn-throughput +25 %). Not on BullMQ
 *   workers' connections (blocking commands; reports of trouble with Bull).
 */
export function createRedis(url: string, logger: Logger, options: { name: string; failFast?: boolean; autoPipelining?: boolean }): Redis {
  const redis = new Redis(url, {
    enableAutoPipelining: options.autoPipelining ?? false,
    maxRetriesPerRequest: options.failFast ? 1 : null,
    enableOfflineQueue: !options.failFast,
    connectionName: `tableround:${options.name}`,
    retryStrategy: (attempt) => Math.min(attempt * 200, 3_000),
    lazyConnect: false,
  });
  let wasReady = false;
  redis.on('ready', () => {
    if (wasReady) logger.info({ connection: options.name }, 'redis reconnected');
    wasReady = true;
  });
  redis.on('error', (error: Error) => logger.warn({ connection: options.name, err: error }, 'redis connection error'));
  return redis;
}

/**
 * Resolves when the connection is ready. After `timeoutMs` the client is disconnected (it would
 * otherwise keep reconnecting and hold the process open) and a `redis_unavailable` error names
 * REDIS_URL.
 */
export async function waitUntilReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      redis.disconnect();
      reject(new TableRoundError('redis_unavailable', `Redis at REDIS_URL did not answer within ${Math.round(timeoutMs / 1000)} s: check that it runs and that REDIS_URL is right (or unset REDIS_URL to start a local one)`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}

/** True for errors that mean "Redis is not reachable right now". */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return /Stream isn't writeable|enableOfflineQueue|Connection is closed|ECONNREFUSED|ECONNRESET|MaxRetriesPerRequest|LOADING|READONLY|Reached the max retries/i.test(error.message);
}
