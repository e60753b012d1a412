/**
 * Process RSS with 1,000 active sessions, measured in a fresh child process (so the other
 * benches' heaps do not count): baseline after the engine is built and its worker started, then
 * after every session was started and has run its opening and introductions (instant model and
 * adapter), sampled peak during the run, after a forced GC, and with the sessions open and idle
 * a while later (BENCH_RSS_SETTLE_MS).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { applyBotHeapPolicy, envInteger, megabytes, round, sleep } from './bench-stats.ts';
import { deleteKeys, uniqueName } from './bench-redis.ts';
import { buildEngineRig } from './engine-rig.ts';
import { botNodeFlags } from './bot-node-flags.ts';

const resultMarker = 'BENCH_RSS_RESULT ';

export async function runSessionRssBench(redisUrl: string): Promise<Record<string, unknown>> {
  // Plain node on the compiled bench (npm run bench); tsx only when run from the TypeScript.
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--expose-gc', ...botNodeFlags(), ...(self.endsWith('.ts') ? ['--import', 'tsx'] : []), self], {
    env: { ...process.env, BENCH_RSS_REDIS_URL: redisUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolveExit) => child.on('exit', resolveExit));
  const line = output.split('\n').find((candidate) => candidate.startsWith(resultMarker));
  if (code !== 0 || !line) throw new Error(`RSS child exited with ${code}: ${output.slice(-2_000)}`);
  return JSON.parse(line.slice(resultMarker.length)) as Record<string, unknown>;
}

function memory(): { rssMB: number; heapUsedMB: number; externalMB: number } {
  const usage = process.memoryUsage();
  return { rssMB: megabytes(usage.rss), heapUsedMB: megabytes(usage.heapUsed), externalMB: megabytes(usage.external) };
}

async function measureInThisProcess(redisUrl: string): Promise<Record<string, unknown>> {
  const sessions = envInteger('BENCH_SESSIONS', 1_000);
  const concurrency = envInteger('BENCH_CONCURRENCY', 200);
  const prefix = uniqueName('bench-rss-');
  const rig = await buildEngineRig({ redisUrl, prefix, queueName: uniqueName('rss'), env: { WORKER_CONCURRENCY: concurrency } });
  try {
    rig.startWorker(concurrency);
    await sleep(200);
    globalThis.gc?.();
    const baseline = memory();
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    for (let index = 0; index < sessions; index += 20) {
      await Promise.all(Array.from({ length: Math.min(20, sessions - index) }, (_, offset) => rig.startSession(index + offset, { rounds: 0 })));
    }
    await rig.drained(5 * 60_000);
    clearInterval(sampler);
    const afterIntroductions = memory();
    globalThis.gc?.();
    const afterGc = memory();
    // The sessions stay open and idle between turns, as a roundtable waits for its people: V8
    // returns the pages the burst's garbage took (its memory reducer) once allocation calms down.
    // The reducer looks every 8 s after a full GC and acts only when the allocation rate is low
    // then; with 15 s it sometimes had one look, found the worker's timers allocating, and the
    // idle figure came out as the running one (1 run in 4). 30 s gives it three looks.
    await sleep(envInteger('BENCH_RSS_SETTLE_MS', 30_000));
    const settled = memory();
    const introductions = rig.model.callsByRole.chat ?? 0;
    return {
      description: 'fresh process; sessions started (rounds 0) and run through opening + introductions with the instant model; RSS from process.memoryUsage()',
      setup: { sessions, workerConcurrency: concurrency, introductionsRun: introductions, personas: rig.panel.personas.length },
      baseline,
      afterIntroductions,
      peakRssMB: megabytes(peakRss),
      afterForcedGc: afterGc,
      settledIdle: settled,
      ratioToBaseline: { afterIntroductions: round(afterIntroductions.rssMB / baseline.rssMB, 2), peak: round(megabytes(peakRss) / baseline.rssMB, 2), settledIdle: round(settled.rssMB / baseline.rssMB, 2) },
    };
  } finally {
    await rig.stop();
    await deleteKeys(redisUrl, prefix);
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
const childRedisUrl = process.env.BENCH_RSS_REDIS_URL;
if (invokedDirectly && childRedisUrl) {
  applyBotHeapPolicy();
  const result = await measureInThisProcess(childRedisUrl);
  process.stdout.write(`${resultMarker}${JSON.stringify(result)}\n`);
  process.exit(0);
}
