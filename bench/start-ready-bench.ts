/**
 * Start → ready: `npm start` (dependencies installed, the build current) until the bot's
 * /healthz answers 200, as an operator or an orchestrator sees it — a worker with a Slack token
 * against this run's Redis (no platform is reached at start). Beside it, in the same run: the
 * same without npm (`node dist/adapters/main.js`), and the floor of any Node program — `node`
 * starting an HTTP server that answers one request.
 */
import { execFileSync, spawn } from 'node:child_process';
import { envInteger, round, sleep, summarise, type LatencySummary } from './bench-stats.ts';
import { freePort } from '../test/harness/free-port.ts';

/** Spawns `command` in its own process group, times until GET /healthz (or /) answers 200, then stops it. */
async function timeToReady(command: string, args: string[], env: Record<string, string>, path: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(command, args, { env: { ...env, HTTP_PORT: String(port), PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode} before it was ready: ${errors.slice(-1_000)}`);
      if (performance.now() - started > 30_000) throw new Error(`${command} not ready after 30 s: ${errors.slice(-1_000)}`);
      const ok = await fetch(`http://127.0.0.1:${port}${path}`).then((response) => response.ok, () => false);
      if (ok) return performance.now() - started;
      await sleep(10);
    }
  } finally {
    // The whole process group (npm, its shell, node): gone already is fine.
    const signal = (name: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, name);
      } catch {
        // ESRCH: nothing left to signal
      }
    };
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.exitCode === null) signal('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    signal('SIGKILL');
  }
}

async function samples(count: number, once: () => Promise<number>): Promise<LatencySummary> {
  await once(); // a first start warms the file cache, as on any machine that ran the bot before
  const timings: number[] = [];
  for (let index = 0; index < count; index += 1) timings.push(await once());
  return summarise(timings);
}

const bareServer = `require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')`;

export async function runStartReadyBench(redisUrl: string): Promise<Record<string, unknown>> {
  const count = envInteger('BENCH_START_SAMPLES', 5);
  // The build is made (if stale) before anything is timed: `npm start` on a deployed bot finds it current.
  execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { stdio: 'inherit' });
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    ROLE: 'worker',
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `bench-start-${process.pid}`,
    OPENAI_API_KEY: 'unused',
    SLACK_BOT_TOKEN: 'xoxb-1-bench',
    SLACK_SIGNING_SECRET: 'bench',
    LOG_LEVEL: 'silent',
  };
  const npmStart = await samples(count, () => timeToReady('npm', ['start', '--silent'], env, '/healthz'));
  const plainNode = await samples(count, () => timeToReady(process.execPath, ['dist/adapters/main.js'], env, '/healthz'));
  const nodeFloor = await samples(count, () => timeToReady(process.execPath, ['-e', bareServer], env, '/'));
  return {
    description: '`npm start` (deps installed, build current) → /healthz 200: a worker with a Slack token against this run\'s Redis; each the median of several starts after one warm-up',
    setup: { samples: count, role: 'worker' },
    npmStart,
    plainNodeOnBuild: plainNode,
    nodeHttpServerFloor: nodeFloor,
    npmShareMs: round(npmStart.p50Ms - plainNode.p50Ms, 1),
    ratioToNodeFloor: round(npmStart.p50Ms / nodeFloor.p50Ms, 2),
  };
}
