/**
 * A real Redis Cluster on loopback for tests and the bench: three `redis-server --cluster-enabled
 * yes` nodes (masters, no replicas) joined with `redis-cli --cluster create`, as Redis documents
 * for a first cluster. Started on demand by the tests that need it, not by the global setup.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { findRedisServer, freeLoopbackPort, startEmbeddedRedis, type EmbeddedRedis } from '../../src/store/embedded-redis.ts';

const run = promisify(execFile);

export interface LocalCluster {
  /** `127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3`: REDIS_CLUSTER_NODES. */
  nodesSetting: string;
  nodes: { host: string; port: number }[];
  servers: EmbeddedRedis[];
  /** A cluster client (ioredis Cluster) for checks; closed by stop(). */
  client(): Cluster;
  stop(): Promise<void>;
}

/** Whether this machine can start a cluster (`redis-server` and `redis-cli` on the PATH). */
export function canStartCluster(): boolean {
  return findRedisServer() !== undefined;
}

async function clusterState(port: number): Promise<string> {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const info = (await redis.call('CLUSTER', 'INFO')) as string;
    return /cluster_state:(\w+)/.exec(info)?.[1] ?? 'unknown';
  } finally {
    redis.disconnect();
  }
}

export async function startLocalCluster(size = 3): Promise<LocalCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tableround-cluster-'));
  const servers: EmbeddedRedis[] = [];
  const clients: Cluster[] = [];
  const stop = async () => {
    for (const client of clients) client.disconnect();
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    for (let index = 0; index < size; index++) {
      // The cluster bus gets a port of its own (the default, port + 10000, may be past 65535).
      const busPort = await freeLoopbackPort();
      const nodeDir = join(dataDir, `node-${index}`);
      servers.push(
        await startEmbeddedRedis({
          dataDir: nodeDir,
          persistent: false,
          extraArgs: ['--cluster-enabled', 'yes', '--cluster-config-file', join(nodeDir, 'nodes.conf'), '--cluster-port', String(busPort), '--cluster-node-timeout', '5000'],
        }),
      );
    }
    const nodes = servers.map((server) => ({ host: '127.0.0.1', port: server.port }));
    const redisCli = join(findRedisServer()!, '..', 'redis-cli');
    await run(redisCli, ['--cluster', 'create', ...nodes.map((node) => `${node.host}:${node.port}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    const deadline = Date.now() + 30_000;
    while ((await Promise.all(nodes.map((node) => clusterState(node.port)))).some((state) => state !== 'ok')) {
      if (Date.now() > deadline) throw new Error('the local Redis Cluster did not reach cluster_state:ok in 30 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return {
      nodesSetting: nodes.map((node) => `${node.host}:${node.port}`).join(','),
      nodes,
      servers,
      client: () => {
        const client = new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: 1 } });
        clients.push(client);
        return client;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
