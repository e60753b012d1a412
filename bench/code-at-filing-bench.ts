/**
 * The code issue 15 was filed against, measured in the same run: its own turn-overhead and
 * turn-throughput benches (the ones its table's "now" column came from), taken from this clone's
 * history with `git archive` into a temporary folder, run on the same Redis with this checkout's
 * node_modules (its dependencies are the same), on tsx as its `npm run bench` was.
 *
 * Why: the issue gives throughput as an absolute aim (≥ 1,500 turns/s against 1,142 then), and
 * this machine's speed is not constant: that very code measured 1,142 turns/s when the issue was
 * filed and 303–374 turns/s on 2026-12-02. An absolute figure compares runs of one day only; this
 * reference is the issue's own starting point, so "≥ 1,500 against 1,142" becomes "≥ 1,500 ÷ 1,142
 * = 1.31× the code at filing, in the same run".
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { numberAt, type BenchResults } from './bench-summary.ts';
import { round } from './bench-stats.ts';

/** The commit issue 15 measured ("The session record (issue 14)…", 2026-12-01 20:37 UTC). */
export const filingCommit = '9a93efc23c78e9331a6d9601e22ec86d05289bac';
/** The issue's throughput: 1,142 turns/s then, ≥ 1,500 aimed. */
export const filingThroughput = { then: 1_142, aim: 1_500 };

interface Run {
  code: number | null;
  output: string;
}

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; stdout?: 'pipe' | 'ignore'; timeoutMs: number }): Promise<Run> {
  return new Promise((resolveRun) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', options.stdout ?? 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolveRun({ code: -1, output: `${output}\n${error.message}` });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolveRun({ code, output });
    });
  });
}

/** Unpacks the commit's tree into `into` (git archive | tar): the checkout and its index are not touched. */
async function unpack(root: string, into: string): Promise<string | undefined> {
  const known = await run('git', ['cat-file', '-e', `${filingCommit}^{commit}`], { cwd: root, timeoutMs: 30_000 });
  if (known.code !== 0) return `this clone does not hold commit ${filingCommit.slice(0, 7)} (a shallow clone or an export)`;
  const unpacked = await run('sh', ['-c', `git archive --format=tar ${filingCommit} | tar -x -C "$0"`, into], { cwd: root, timeoutMs: 60_000 });
  if (unpacked.code !== 0) return `could not unpack ${filingCommit.slice(0, 7)}: ${unpacked.output.slice(-500)}`;
  return undefined;
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * Runs the code at filing's overhead and throughput benches; with this run's own results (when
 * they ran), the throughput and overhead p50 as ratios to it.
 */
export async function runCodeAtFilingBench(redisUrl: string, thisRun: BenchResults, root = process.cwd()): Promise<Record<string, unknown>> {
  const folder = mkdtempSync(join(tmpdir(), 'tableround-at-filing-'));
  try {
    const missing = await unpack(root, folder);
    if (missing) return { skipped: missing };
    symlinkSync(join(root, 'node_modules'), join(folder, 'node_modules'), 'dir');
    const env = { ...process.env, REDIS_URL: redisUrl, BENCH_ONLY: 'turn-overhead,turn-throughput' };
    const benched = await run(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'bench/run-all.ts'], { cwd: folder, env, timeoutMs: 10 * 60_000 });
    const overhead = readJson(join(folder, 'bench', 'results', 'turn-overhead-bench.json'));
    const throughput = readJson(join(folder, 'bench', 'results', 'turn-throughput-bench.json'));
    const turnsPerSecond = numberAt(throughput, 'personaTurnsPerSecond');
    const p50Ms = numberAt(overhead, 'perTurn.commitToCommit.p50Ms');
    if (benched.code !== 0 || turnsPerSecond === undefined || p50Ms === undefined) {
      return { error: `the code at filing's bench exited ${benched.code}: ${benched.output.slice(-1_500)}` };
    }
    const ours = numberAt(thisRun['turn-throughput'], 'personaTurnsPerSecond');
    const oursP50 = numberAt(thisRun['turn-overhead'], 'perTurn.commitToCommit.p50Ms');
    return {
      description: `issue 15's starting point: commit ${filingCommit.slice(0, 7)}'s own turn-overhead and turn-throughput benches, run in this bench run on the same Redis`,
      commit: filingCommit,
      throughput: {
        personaTurnsPerSecond: turnsPerSecond,
        setup: (throughput as Record<string, unknown>).setup,
        issueTable: filingThroughput,
        aimAsRatio: round(filingThroughput.aim / filingThroughput.then, 2),
      },
      overhead: { p50Ms, p99Ms: numberAt(overhead, 'perTurn.commitToCommit.p99Ms') },
      ...(ours !== undefined ? { throughputRatio: round(ours / turnsPerSecond, 2) } : {}),
      ...(oursP50 !== undefined ? { overheadP50Ratio: round(oursP50 / p50Ms, 2) } : {}),
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
