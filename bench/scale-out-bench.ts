/**
 * Scale beyond one process and one Redis node: persona turns per second with 1 worker process, with
 * 2 worker processes on the same Redis, and with 1 worker process on a local three-node Redis
 * Cluster — the same sessions, instant model and adapter, real BullMQ. The coordinator (this
 * process) only creates the sessions and watches: the queue is paused while they are created and
 * the workers start, the clock runs from the resume until the queue is drained, and the persona
 * turns are counted in the sessions' transcripts. Per-session order holds by construction (one
 * step job per session at a time, the commit's seq check); the bench also checks that no session
 * has a persona turn twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { envInteger, round } from './bench-stats.ts';
import { deleteKeys, uniqueName } from './bench-redis.ts';
import { Cluster } from 'ioredis';
import { buildEngineRig, type EngineRig } from './engine-rig.ts';
import { botNodeFlags } from './bot-node-flags.ts';
import type { RedisTarget } from '../src/store/redis-connection.ts';
import { canStartCluster, startLocalCluster } from '../test/harness/redis-cluster.ts';

const workerScript = fileURLToPath(new URL('./scale-worker.js', import.meta.url));

interface BenchWorker {
  child: ChildProcess;
  output: string;
}

function startWorker(setup: { target: RedisTarget; prefix: string; queueName: string; concurrency: number }): Promise<BenchWorker> {
  const child = spawn(process.execPath, [...botNodeFlags(), workerScript], { env: { ...process.env, BENCH_SCALE: JSON.stringify(setup) }, stdio: ['ignore', 'pipe', 'inherit'] });
  const worker: BenchWorker = { child, output: '' };
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      worker.output += chunk.toString();
      if (worker.output.includes('worker ready')) resolve(worker);
    });
    child.once('exit', (code) => reject(new Error(`bench worker exited early (${code})`)));
  });
}

/** Stops a worker and returns its CPU time (ms, user + system), which it prints on SIGTERM. */
async function stopWorker(worker: BenchWorker): Promise<number> {
  if (worker.child.exitCode === null) {
    await new Promise<void>((resolve) => {
      worker.child.once('exit', () => resolve());
      worker.child.kill('SIGTERM');
      setTimeout(() => worker.child.kill('SIGKILL'), 10_000).unref();
    });
  }
  const line = /^cpu (.+)$/m.exec(worker.output)?.[1];
  const cpu = line ? (JSON.parse(line) as { userMs: number; systemMs: number }) : undefined;
  return cpu ? cpu.userMs + cpu.systemMs : Number.NaN;
}

/** Redis's own CPU time (ms) so far, over every master of a cluster. */
async function redisCpuMs(rig: EngineRig): Promise<number> {
  const nodes = rig.redis instanceof Cluster ? rig.redis.nodes('master') : [rig.redis];
  let total = 0;
  for (const node of nodes) {
    const info = await node.info('cpu');
    total += (Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1])) * 1000;
  }
  return total;
}

interface Run {
  workers: number;
  redis: string;
  sessions: number;
  personaTurns: number;
  elapsedSeconds: number;
  personaTurnsPerSecond: number;
  sessionsWithARepeatedTurn: number;
  /** CPU per persona turn (ms): the worker processes' (from their start to their stop), Redis's (the timed run). */
  cpuPerTurnMs: { workers: number; redis: number };
  /** Cores kept busy during the timed run by the workers' share of it and by Redis: what a 2-core machine can give. */
  coresBusy: { redis: number };
}

async function measure(target: RedisTarget, label: string, workers: number, sessions: number, concurrency: number): Promise<Run> {
  const prefix = uniqueName('bench-scale-');
  const queueName = uniqueName('scale');
  const rig = await buildEngineRig({ redisUrl: target.kind === 'single' ? target.url : '', redisTarget: target, prefix, queueName });
  const children: BenchWorker[] = [];
  let workersCpuMs = 0;
  try {
    await rig.queue.queue.pause();
    const sessionIds: string[] = [];
    for (let index = 0; index < sessions; index += 50) {
      const batch = Array.from({ length: Math.min(50, sessions - index) }, (_, offset) => rig.startSession(index + offset));
      sessionIds.push(...(await Promise.all(batch)));
    }
    for (let index = 0; index < workers; index++) children.push(await startWorker({ target, prefix, queueName, concurrency }));
    const redisCpuBefore = await redisCpuMs(rig);
    const started = performance.now();
    await rig.queue.queue.resume();
    await rig.drained(10 * 60_000);
    const elapsedSeconds = (performance.now() - started) / 1000;
    const redisCpu = (await redisCpuMs(rig)) - redisCpuBefore;
    for (const child of children.splice(0)) workersCpuMs += await stopWorker(child);
    let personaTurns = 0;
    let repeated = 0;
    for (const sessionId of sessionIds) {
      const turns = (await rig.store.transcript(sessionId)).filter((entry) => entry.kind === 'persona');
      personaTurns += turns.length;
      const keys = turns.map((entry) => `${entry.at}|${entry.speakerId}|${entry.text}`);
      if (new Set(keys).size !== keys.length) repeated += 1;
    }
    return {
      workers,
      redis: label,
      sessions,
      personaTurns,
      elapsedSeconds: round(elapsedSeconds, 2),
      personaTurnsPerSecond: round(personaTurns / elapsedSeconds, 0),
      sessionsWithARepeatedTurn: repeated,
      cpuPerTurnMs: { workers: round(workersCpuMs / personaTurns, 3), redis: round(redisCpu / personaTurns, 3) },
      coresBusy: { redis: round(redisCpu / 1000 / elapsedSeconds, 2) },
    };
  } finally {
    await Promise.all(children.map(stopWorker));
    await rig.stop();
    if (target.kind === 'single') await deleteKeys(target.url, prefix);
  }
}

export async function runScaleOutBench(redisUrl: string): Promise<Record<string, unknown>> {
  const sessions = envInteger('BENCH_SCALE_SESSIONS', 300);
  const concurrency = envInteger('BENCH_CONCURRENCY', 200);
  const single: RedisTarget = { kind: 'single', url: redisUrl };
  const oneWorker = await measure(single, 'one node', 1, sessions, concurrency);
  const twoWorkers = await measure(single, 'one node', 2, sessions, concurrency);
  let onCluster: Run | { skipped: string };
  if (canStartCluster()) {
    const cluster = await startLocalCluster();
    try {
      onCluster = await measure({ kind: 'cluster', nodes: cluster.nodes, tls: false }, 'three-node cluster', 1, sessions, concurrency);
    } finally {
      await cluster.stop();
    }
  } else {
    onCluster = { skipped: 'no redis-server on this machine to start a local cluster' };
  }
  return {
    description: 'persona turns per second: 1 worker process vs 2 on the same Redis, and 1 on a local three-node Redis Cluster vs one node; instant model and adapter, real BullMQ. Worker CPU per turn includes each process\'s start-up; on a machine whose cores one worker and Redis already fill, a second worker cannot add turns',
    setup: { sessions, workerConcurrency: concurrency, cpus: cpus().length },
    runs: { oneWorker, twoWorkers, onCluster },
    twoWorkersToOne: round(twoWorkers.personaTurnsPerSecond / oneWorker.personaTurnsPerSecond, 2),
    clusterToOneNode: 'personaTurnsPerSecond' in onCluster ? round(onCluster.personaTurnsPerSecond / oneWorker.personaTurnsPerSecond, 2) : undefined,
    sessionsWithARepeatedTurn: oneWorker.sessionsWithARepeatedTurn + twoWorkers.sessionsWithARepeatedTurn + ('sessionsWithARepeatedTurn' in onCluster ? onCluster.sessionsWithARepeatedTurn : 0),
  };
}
