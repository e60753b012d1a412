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
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { numberAt, type BenchResults } from './bench-summary.ts';
import { round } from './bench-stats.ts';

const run = promisify(execFile);

/** The commit issue 15 measured ("The session record (issue 14)…", 2026-12-01 20:37 UTC). */
const filingCommit = '9a93efc23c78e9331a6d9601e22ec86d05289bac';
/** The issue's table for that commit: throughput then and aimed, overhead p50 then. */
const issueTable = { turnsPerSecond: 1_142, turnsPerSecondAim: 1_500, overheadP50Ms: 2.6 };

/** What a failed child said (execFile's error carries its output), for the result. */
function failure(error: unknown): string {
  const { stdout = '', stderr = '', message = String(error) } = error as { stdout?: string; stderr?: string; message?: string };
  return `${message}\n${stdout}${stderr}`.slice(-1_500);
}

/** Unpacks the commit's tree into `into` (git archive | tar): the checkout and its index are not touched. */
async function unpack(root: string, into: string): Promise<string | undefined> {
  try {
    await run('git', ['cat-file', '-e', `${filingCommit}^{commit}`], { cwd: root });
  } catch {
    return `this clone does not hold commit ${filingCommit.slice(0, 7)} (a shallow clone or an export)`;
  }
  await run('sh', ['-c', `git archive --format=tar ${filingCommit} | tar -x -C "$0"`, into], { cwd: root });
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
    try {
      await run(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'bench/run-all.ts'], { cwd: folder, env, timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      return { error: `the code at filing's bench failed: ${failure(error)}` };
    }
    const overhead = readJson(join(folder, 'bench', 'results', 'turn-overhead-bench.json'));
    const throughput = readJson(join(folder, 'bench', 'results', 'turn-throughput-bench.json'));
    const turnsPerSecond = numberAt(throughput, 'personaTurnsPerSecond');
    const p50Ms = numberAt(overhead, 'perTurn.commitToCommit.p50Ms');
    if (turnsPerSecond === undefined || p50Ms === undefined) return { error: "the code at filing's bench wrote no overhead or throughput figure" };
    const ours = numberAt(thisRun['turn-throughput'], 'personaTurnsPerSecond');
    const oursP50 = numberAt(thisRun['turn-overhead'], 'perTurn.commitToCommit.p50Ms');
    return {
      description: `issue 15's starting point: commit ${filingCommit.slice(0, 7)}'s own turn-overhead and turn-throughput benches, run in this bench run on the same Redis`,
      commit: filingCommit,
      issueTable,
      throughput: {
        personaTurnsPerSecond: turnsPerSecond,
        setup: throughput?.setup,
        aimAsRatio: round(issueTable.turnsPerSecondAim / issueTable.turnsPerSecond, 2),
      },
      overhead: { p50Ms, p99Ms: numberAt(overhead, 'perTurn.commitToCommit.p99Ms') },
      ...(ours !== undefined ? { throughputRatio: round(ours / turnsPerSecond, 2) } : {}),
      ...(oursP50 !== undefined ? { overheadP50Ratio: round(oursP50 / p50Ms, 2) } : {}),
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
