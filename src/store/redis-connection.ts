import { Redis } from 'ioredis';
import type { Logger } from '../logging/logger.ts';

/**
 * A Redis connection suitable for BullMQ and our stores: `maxRetriesPerRequest: null` (BullMQ
 * requires it for blocking connections), reconnects with capped backoff forever.
 * `enableOfflineQueue: false` would fail fast while Redis is down; we keep the queue so short
 * blips are absorbed, and callers that must fail fast pass `failFast`.
 */
export function createRedis(url: string, logger: Logger, options: { name: string; failFast?: boolean }): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: options.failFast ? 2 : null,
    enableOfflineQueue: true,
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
