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
import { fileURLToPath } from 'node:url';
import { envInteger, round } from './bench-stats.ts';
import { deleteKeys, uniqueName } from './bench-redis.ts';
import { buildEngineRig } from './engine-rig.ts';
import type { RedisTarget } from '../src/store/redis-connection.ts';
import { canStartCluster, startLocalCluster } from '../test/harness/redis-cluster.ts';

const workerScript = fileURLToPath(new URL('./scale-worker.js', import.meta.url));

function startWorker(setup: { target: RedisTarget; prefix: string; queueName: string; concurrency: number }): Promise<ChildProcess> {
  const child = spawn(process.execPath, [workerScript], { env: { ...process.env, BENCH_SCALE: JSON.stringify(setup) }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('worker ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`bench worker exited early (${code})`)));
  });
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

interface Run {
  workers: number;
  redis: string;
  sessions: number;
  personaTurns: number;
  elapsedSeconds: number;
  personaTurnsPerSecond: number;
  sessionsWithARepeatedTurn: number;
}

async function measure(target: RedisTarget, label: string, workers: number, sessions: number, concurrency: number): Promise<Run> {
  const prefix = uniqueName('bench-scale-');
  const queueName = uniqueName('scale');
  const rig = await buildEngineRig({ redisUrl: target.kind === 'single' ? target.url : '', redisTarget: target, prefix, queueName });
  const children: ChildProcess[] = [];
  try {
    await rig.queue.queue.pause();
    const sessionIds: string[] = [];
    for (let index = 0; index < sessions; index += 50) {
      const batch = Array.from({ length: Math.min(50, sessions - index) }, (_, offset) => rig.startSession(index + offset));
      sessionIds.push(...(await Promise.all(batch)));
    }
    for (let index = 0; index < workers; index++) children.push(await startWorker({ target, prefix, queueName, concurrency }));
    const started = performance.now();
    await rig.queue.queue.resume();
    await rig.drained(10 * 60_000);
    const elapsedSeconds = (performance.now() - started) / 1000;
    let personaTurns = 0;
    let repeated = 0;
    for (const sessionId of sessionIds) {
      const turns = (await rig.store.transcript(sessionId)).filter((entry) => entry.kind === 'persona');
      personaTurns += turns.length;
      const keys = turns.map((entry) => `${entry.at}|${entry.speakerId}|${entry.text}`);
      if (new Set(keys).size !== keys.length) repeated += 1;
    }
    return { workers, redis: label, sessions, personaTurns, elapsedSeconds: round(elapsedSeconds, 2), personaTurnsPerSecond: round(personaTurns / elapsedSeconds, 0), sessionsWithARepeatedTurn: repeated };
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
    description: 'persona turns per second: 1 worker process vs 2 on the same Redis, and 1 on a local three-node Redis Cluster vs one node; instant model and adapter, real BullMQ',
    setup: { sessions, workerConcurrency: concurrency },
    runs: { oneWorker, twoWorkers, onCluster },
    twoWorkersToOne: round(twoWorkers.personaTurnsPerSecond / oneWorker.personaTurnsPerSecond, 2),
    clusterToOneNode: 'personaTurnsPerSecond' in onCluster ? round(onCluster.personaTurnsPerSecond / oneWorker.personaTurnsPerSecond, 2) : undefined,
    sessionsWithARepeatedTurn: oneWorker.sessionsWithARepeatedTurn + twoWorkers.sessionsWithARepeatedTurn + ('sessionsWithARepeatedTurn' in onCluster ? onCluster.sessionsWithARepeatedTurn : 0),
  };
}
