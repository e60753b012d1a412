/**
 * Runs a Lua script by its SHA1 (EVALSHA), loading it with EVAL the first time a server has not
 * seen it (NOSCRIPT, e.g. after a Redis restart). Saves sending the script's text on every call.
 */
import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-connection.ts';

export class RedisScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: RedisClient, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
