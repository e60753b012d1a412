/**
 * Redis with Sentinel on loopback for tests: a master, one replica, and one sentinel watching them
 * (quorum 1) — the smallest set in which Sentinel can fail over, as Redis documents it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { findRedisServer, freeLoopbackPort, startEmbeddedRedis, type EmbeddedRedis } from '../../src/store/embedded-redis.ts';

export interface LocalSentinel {
  /** REDIS_SENTINELS. */
  sentinels: string;
  master: string;
  /** Fails over (SENTINEL FAILOVER) and resolves once the sentinel names the replica as master. */
  failover(): Promise<void>;
  /** The port of the node that is master now. */
  masterPort(): Promise<number>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startLocalSentinel(master = 'mymaster'): Promise<LocalSentinel> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tableround-sentinel-'));
  const nodes: EmbeddedRedis[] = [];
  let sentinelProcess: ChildProcess | undefined;
  const sentinelClients: Redis[] = [];
  const stop = async () => {
    for (const client of sentinelClients) client.disconnect();
    sentinelProcess?.kill('SIGKILL');
    await Promise.all(nodes.map((node) => node.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    nodes.push(await startEmbeddedRedis({ dataDir: join(dataDir, 'master'), persistent: false }));
    nodes.push(await startEmbeddedRedis({ dataDir: join(dataDir, 'replica'), persistent: false, extraArgs: ['--replicaof', '127.0.0.1', String(nodes[0]!.port)] }));
    const port = await freeLoopbackPort();
    const config = join(dataDir, 'sentinel.conf');
    writeFileSync(
      config,
      [`port ${port}`, 'bind 127.0.0.1', `dir ${dataDir}`, `sentinel monitor ${master} 127.0.0.1 ${nodes[0]!.port} 1`, `sentinel down-after-milliseconds ${master} 1000`, `sentinel failover-timeout ${master} 10000`].join('\n') + '\n',
    );
    sentinelProcess = spawn(findRedisServer()!, [config, '--sentinel'], { stdio: 'ignore' });
    const sentinel = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: null, retryStrategy: () => 50 });
    sentinel.on('error', () => undefined);
    sentinelClients.push(sentinel);
    const masterPort = async () => Number(((await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', master)) as string[])[1]);
    // Ready when the replica is in sync and the sentinel knows it.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const replicas = (await sentinel.call('SENTINEL', 'REPLICAS', master).catch(() => [])) as string[][];
      const synced = replicas.some((fields) => fields.join(' ').includes('master-link-status ok'));
      if (synced) break;
      if (Date.now() > deadline) throw new Error('the local sentinel did not see its replica in sync in 30 s');
      await sleep(100);
    }
    return {
      sentinels: `127.0.0.1:${port}`,
      master,
      masterPort,
      failover: async () => {
        const before = await masterPort();
        await sentinel.call('SENTINEL', 'FAILOVER', master);
        const until = Date.now() + 30_000;
        while ((await masterPort()) === before) {
          if (Date.now() > until) throw new Error('the sentinel did not fail over in 30 s');
          await sleep(100);
        }
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
