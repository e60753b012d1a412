import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Config } from '../config/config-schema.ts';
import type { Logger } from '../logging/logger.ts';
import { TableRoundError } from '../errors.ts';

/**
 * What the bot talks to: one Redis node, a Redis Cluster, or a master found through Sentinel —
 * ioredis's own clients in every case (`Redis`, `Cluster`, `Redis` with `sentinels`). Everything
 * the bot runs on it is cluster-safe: keys that a script or a MULTI touches together share a hash
 * tag (keys.ts), and BullMQ's prefix is one hash tag, as BullMQ documents for clusters.
 */
export type RedisClient = Redis | Cluster;

export interface RedisNode {
  host: string;
  port: number;
}

export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: RedisNode[]; username?: string; password?: string; tls: boolean }
  | { kind: 'sentinel'; sentinels: RedisNode[]; master: string; username?: string; password?: string; sentinelPassword?: string; tls: boolean };

/** `host:port` or `redis[s]://[user:password@]host:port`, with what a URL form carries. */
function parseNode(text: string, defaultPort: number): RedisNode & { username?: string; password?: string; tls?: boolean } {
  const url = new URL(/^[a-z]+:\/\//i.test(text) ? text : `redis://${text}`);
  if (!/^rediss?:$/.test(url.protocol) || !url.hostname) throw new TableRoundError('config_invalid', `not a Redis node: ${JSON.stringify(text.replace(/\/\/[^@/]*@/, '//…@'))} (host:port or redis://host:port)`);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : defaultPort,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: true } : {}),
  };
}

const nodesOf = (text: string, defaultPort: number) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => parseNode(item, defaultPort));

/** The target the configuration names (REDIS_CLUSTER_NODES, REDIS_SENTINELS, else `url`: REDIS_URL or the local server). */
export function redisTargetFrom(config: Pick<Config, 'REDIS_CLUSTER_NODES' | 'REDIS_SENTINELS' | 'REDIS_SENTINEL_MASTER' | 'REDIS_USERNAME' | 'REDIS_PASSWORD' | 'REDIS_SENTINEL_PASSWORD' | 'REDIS_TLS'>, url?: string): RedisTarget {
  const credentials = (first: { username?: string; password?: string } | undefined) => {
    const username = config.REDIS_USERNAME ?? first?.username;
    const password = config.REDIS_PASSWORD ?? first?.password;
    return { ...(username ? { username } : {}), ...(password ? { password } : {}) };
  };
  if (config.REDIS_CLUSTER_NODES) {
    const nodes = nodesOf(config.REDIS_CLUSTER_NODES, 6379);
    if (nodes.length === 0) throw new TableRoundError('config_invalid', 'REDIS_CLUSTER_NODES names no node');
    return { kind: 'cluster', nodes: nodes.map(({ host, port }) => ({ host, port })), ...credentials(nodes[0]), tls: config.REDIS_TLS || nodes[0]!.tls === true };
  }
  if (config.REDIS_SENTINELS) {
    const sentinels = nodesOf(config.REDIS_SENTINELS, 26379);
    if (sentinels.length === 0) throw new TableRoundError('config_invalid', 'REDIS_SENTINELS names no sentinel');
    return {
      kind: 'sentinel',
      sentinels: sentinels.map(({ host, port }) => ({ host, port })),
      master: config.REDIS_SENTINEL_MASTER,
      ...credentials(undefined),
      ...(config.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: config.REDIS_SENTINEL_PASSWORD } : {}),
      tls: config.REDIS_TLS,
    };
  }
  if (!url) throw new TableRoundError('config_invalid', 'no Redis: set REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS');
  return { kind: 'single', url };
}

/** Where the target is, for logs and messages (never a password). */
export function describeTarget(target: RedisTarget): string {
  switch (target.kind) {
    case 'single':
      return target.url.replace(/\/\/[^@/]*@/, '//…@');
    case 'cluster':
      return `cluster ${target.nodes.map((node) => `${node.host}:${node.port}`).join(',')}`;
    case 'sentinel':
      return `sentinel master "${target.master}" via ${target.sentinels.map((node) => `${node.host}:${node.port}`).join(',')}`;
  }
}

const retryMs = (attempt: number) => Math.min(attempt * 200, 3_000);

export interface ConnectionRole {
  name: string;
  failFast?: boolean;
  autoPipelining?: boolean;
}

/**
 * A connection that reconnects with capped backoff forever.
 * - `failFast` (the main connection: stores, enqueueing): while Redis is down, commands fail at
 *   once instead of queueing (`enableOfflineQueue: false`, as BullMQ advises for producers), so a
 *   person is told to retry rather than left waiting, and nothing is acknowledged that was not
 *   written.
 * - otherwise (BullMQ workers' blocking connections): `maxRetriesPerRequest: null`, commands
 *   wait for the reconnect, as BullMQ requires.
 * - `autoPipelining` (the main connection): the commands of one event-loop turn go out in one
 *   socket write (ioredis `enableAutoPipelining`; on a cluster, one per node) — with hundreds of
 *   steps in flight a write per command was a third of the process's CPU (bench: turn-throughput
 *   +25 %). Not on BullMQ workers' connections (blocking commands; reports of trouble with Bull).
 */
export function createRedis(target: RedisTarget | string, logger: Logger, role: ConnectionRole): RedisClient {
  const resolved: RedisTarget = typeof target === 'string' ? { kind: 'single', url: target } : target;
  const common = {
    maxRetriesPerRequest: role.failFast ? 1 : null,
    connectionName: `tableround:${role.name}`,
  } satisfies RedisOptions;
  let redis: RedisClient;
  switch (resolved.kind) {
    case 'single':
      redis = new Redis(resolved.url, { ...common, enableAutoPipelining: role.autoPipelining ?? false, enableOfflineQueue: !role.failFast, retryStrategy: retryMs, lazyConnect: false });
      break;
    case 'sentinel':
      redis = new Redis({
        ...common,
        sentinels: resolved.sentinels,
        name: resolved.master,
        ...(resolved.username ? { username: resolved.username } : {}),
        ...(resolved.password ? { password: resolved.password } : {}),
        ...(resolved.sentinelPassword ? { sentinelPassword: resolved.sentinelPassword } : {}),
        ...(resolved.tls ? { tls: {}, enableTLSForSentinelMode: true } : {}),
        enableAutoPipelining: role.autoPipelining ?? false,
        enableOfflineQueue: !role.failFast,
        retryStrategy: retryMs,
        sentinelRetryStrategy: retryMs,
        // A failover: reconnect to the new master instead of writing to a demoted one.
        reconnectOnError: (error) => /READONLY/.test(error.message),
      });
      break;
    case 'cluster': {
      const options: ClusterOptions = {
        enableAutoPipelining: role.autoPipelining ?? false,
        enableOfflineQueue: !role.failFast,
        clusterRetryStrategy: retryMs,
        redisOptions: {
          ...common,
          ...(resolved.username ? { username: resolved.username } : {}),
          ...(resolved.password ? { password: resolved.password } : {}),
          ...(resolved.tls ? { tls: {} } : {}),
        },
      };
      redis = new Cluster(resolved.nodes, options);
      break;
    }
  }
  let wasReady = false;
  redis.on('ready', () => {
    if (wasReady) logger.info({ connection: role.name }, 'redis reconnected');
    wasReady = true;
  });
  redis.on('error', (error: Error) => logger.warn({ connection: role.name, err: error }, 'redis connection error'));
  return redis;
}

/**
 * Another connection to the same Redis (a subscriber, a blocking reader), with its own name and
 * with commands waiting for a reconnect. For a cluster, the same startup nodes and node options.
 */
export function duplicateConnection(redis: RedisClient, name: string): RedisClient {
  if (redis instanceof Cluster) {
    return redis.duplicate(undefined, { enableOfflineQueue: true, redisOptions: { ...redis.options.redisOptions, connectionName: `tableround:${name}`, maxRetriesPerRequest: null } });
  }
  return redis.duplicate({ connectionName: `tableround:${name}`, enableOfflineQueue: true, maxRetriesPerRequest: null });
}

/**
 * Resolves when the connection is ready. After `timeoutMs` the client is disconnected (it would
 * otherwise keep reconnecting and hold the process open) and a `redis_unavailable` error names
 * the setting to check.
 */
export async function waitUntilReady(redis: RedisClient, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  const setting = redis instanceof Cluster ? 'REDIS_CLUSTER_NODES' : redis.options.sentinels ? 'REDIS_SENTINELS' : 'REDIS_URL';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      redis.disconnect();
      const unsetHint = setting === 'REDIS_URL' ? ' (or unset REDIS_URL to start a local one)' : '';
      reject(new TableRoundError('redis_unavailable', `Redis at ${setting} did not answer within ${Math.round(timeoutMs / 1000)} s: check that it runs and that ${setting} is right${unsetHint}`));
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
  return /Stream isn't writeable|enableOfflineQueue|Connection is closed|ECONNREFUSED|ECONNRESET|MaxRetriesPerRequest|LOADING|READONLY|Reached the max retries|CLUSTERDOWN|TRYAGAIN|Failed to refresh slots cache|None of startup nodes is available/i.test(error.message);
}
