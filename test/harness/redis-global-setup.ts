/**
 * Vitest global setup: when REDIS_URL is unset, starts one real `redis-server` on a free loopback
 * port for the whole run. Tests isolate themselves with a random key prefix and queue name
 * (see redis.ts) instead of separate servers.
 */
import type { TestProject } from 'vitest/node';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../src/store/embedded-redis.ts';

let server: EmbeddedRedis | undefined;

export async function setup(project: TestProject): Promise<void> {
  let url = process.env.REDIS_URL;
  if (!url) {
    server = await startEmbeddedRedis({ dataDir: mkdtempSync(join(tmpdir(), 'tableround-test-redis-')), persistent: false });
    url = server.url;
  }
  project.provide('redisUrl', url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
