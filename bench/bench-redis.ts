/**
 * The Redis the benches run on: REDIS_URL when set, otherwise a throw-away local redis-server
 * (no persistence) in a temporary folder, stopped and removed at the end. Every bench writes
 * under its own random key prefix and queue name, and deletes its keys afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startEmbeddedRedis } from '../src/store/embedded-redis.ts';
import { deleteKeys as deleteKeysWithPrefix, uniqueName } from '../test/harness/delete-keys.ts';

export interface BenchRedis {
  url: string;
  /** True when we started redis-server ourselves. */
  embedded: boolean;
  version: string;
  stop(): Promise<void>;
}

export async function startBenchRedis(): Promise<BenchRedis> {
  const given = process.env.REDIS_URL;
  if (given) return { url: given, embedded: false, version: await serverVersion(given), stop: async () => undefined };
  const dataDir = mkdtempSync(join(tmpdir(), 'tableround-bench-redis-'));
  const server = await startEmbeddedRedis({ dataDir, persistent: false });
  return {
    url: server.url,
    embedded: true,
    version: await serverVersion(server.url),
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function serverVersion(url: string): Promise<string> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const info = await redis.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } finally {
    redis.disconnect();
  }
}

/** Deletes every key starting with `prefix`, on a connection of its own. */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    await deleteKeysWithPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

export { uniqueName };
