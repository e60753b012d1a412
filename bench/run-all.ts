/**
 * `npm run bench`: runs every benchmark of issue 6 on one Redis (REDIS_URL, or a throw-away local
 * redis-server), prints each figure beside its floor measured in the same run, and writes
 * bench/results/<bench>.json plus summary.json. Sizes: BENCH_SESSIONS, BENCH_CONCURRENCY,
 * BENCH_OVERHEAD_SESSIONS, BENCH_BURST_SESSIONS, BENCH_SLACK_SESSIONS, BENCH_SLACK_WINDOW_MS, BENCH_SCALE_SESSIONS, BENCH_ONLY=<name,name> to run a subset, BENCH_TIME_LIMIT_S (600) the time each bench may take;
 * BENCH_NO_AUTOPIPELINE=1 runs the engine without ioredis auto-pipelining (an A/B of that choice).
 * Each figure is printed beside its aim. With `--check` (npm run bench -- --check) the run is also
 * compared with the committed aims (bench/bench-aims.json: ratios and counts only) and the process
 * exits 1 when one is missed — for a person before a release, not part of npm test.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { runImageBench } from './image-bench.ts';
import { figuresOf, renderTable, type BenchResults } from './bench-summary.ts';
import { startBenchRedis } from './bench-redis.ts';
import { applyBotHeapPolicy, envInteger, round, writeResult } from './bench-stats.ts';
import { runPlatformBurstBench } from './platform-burst-bench.ts';
import { runSlackThroughputBench } from './slack-throughput-bench.ts';
import { runPromptSizeBench } from './prompt-size-bench.ts';
import { runSessionRssBench } from './session-rss-bench.ts';
import { runSessionStorageBench } from './session-storage-bench.ts';
import { runTurnOverheadBench } from './turn-overhead-bench.ts';
import { runTurnThroughputBench } from './turn-throughput-bench.ts';
import { runStartReadyBench } from './start-ready-bench.ts';
import { runScaleOutBench } from './scale-out-bench.ts';
import { checkAims, loadAims, renderAims } from './bench-check.ts';
import { runCodeAtFilingBench } from './code-at-filing-bench.ts';
import { rerunWithBotFlags } from './bot-node-flags.ts';
import { withinTimeLimit } from './bench-time-limit.ts';
import { describeSteal, readCpuTimes, stealPercent } from './host-steal.ts';

// The process production runs has the bot's V8 flags (scripts/node-flags.json): so does this one.
const rerun = rerunWithBotFlags();
if (rerun) process.exit(await rerun);

type Bench = (redisUrl: string) => Promise<Record<string, unknown>>;

const benches: [string, Bench][] = [
  ['turn-overhead', runTurnOverheadBench],
  ['turn-throughput', runTurnThroughputBench],
  // Right after ours, so that both see the machine as it is: it reads ours from `results`.
  ['code-at-filing', (redisUrl) => runCodeAtFilingBench(redisUrl, results)],
  ['session-storage', runSessionStorageBench],
  ['session-rss', runSessionRssBench],
  ['prompt-size', runPromptSizeBench],
  ['image', () => runImageBench()],
  ['platform-burst', runPlatformBurstBench],
  ['slack-throughput', runSlackThroughputBench],
  ['start-ready', runStartReadyBench],
  ['scale-out', runScaleOutBench],
];
const check = process.argv.includes('--check');
const benchTimeLimitMs = envInteger('BENCH_TIME_LIMIT_S', 600) * 1000;

// As the bot's entry point does (HEAP_GROWING_PERCENT=0 measures V8's own heuristic).
const heapGrowingPercent = applyBotHeapPolicy();
const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim()).filter(Boolean);
const started = performance.now();
const runCpuFrom = readCpuTimes();
const redis = await startBenchRedis();
const machine = { loadAverageAtStart: loadavg().map((load) => round(load, 2)), cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGB: round(totalmem() / 1024 ** 3, 1), node: process.version, redis: redis.version, redisStartedByBench: redis.embedded, heapGrowingPercent };
console.log(`TableRound benchmarks — ${machine.cpus} CPUs, Node ${machine.node}, Redis ${machine.redis}${redis.embedded ? ' (local redis-server started for this run)' : ` at REDIS_URL`}`);
// Latency and throughput figures are only as good as the machine is quiet.
if ((machine.loadAverageAtStart[0] ?? 0) > 0.5 * machine.cpus) console.log(`⚠ load average ${machine.loadAverageAtStart.join(' ')} on ${machine.cpus} CPUs: other work is running; figures will be noisy`);

const results: BenchResults = {};
const files: Record<string, string> = {};
try {
  for (const [name, bench] of benches) {
    if (only && !only.includes(name)) continue;
    const benchStarted = performance.now();
    const cpuFrom = readCpuTimes();
    process.stdout.write(`\n▶ ${name} … `);
    let result: Record<string, unknown>;
    try {
      result = await withinTimeLimit(name, benchTimeLimitMs, () => bench(redis.url));
    } catch (error) {
      result = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    result.benchSeconds = round((performance.now() - benchStarted) / 1000, 1);
    const steal = stealPercent(cpuFrom, readCpuTimes());
    if (steal !== undefined) result.hostStealPercent = steal;
    results[name] = result;
    files[name] = writeResult(`${name}-bench`, result);
    console.log(typeof result.error === 'string' ? `failed\n${result.error}` : typeof result.skipped === 'string' ? `skipped: ${result.skipped}` : `done in ${result.benchSeconds} s${describeSteal(steal)}`);
    for (const figure of figuresOf(results).filter((row) => row.bench === name)) {
      console.log(`  ${figure.figure}: ${figure.value} ${figure.unit}  [${figure.reference}]`);
    }
  }
} finally {
  await redis.stop();
}

const figures = figuresOf(results).filter((row) => row.value !== 'not run' || !only);
const totalSeconds = round((performance.now() - started) / 1000, 1);
const runSteal = stealPercent(runCpuFrom, readCpuTimes());
files.summary = writeResult('summary', { machine: { ...machine, loadAverageAtEnd: loadavg().map((load) => round(load, 2)), ...(runSteal === undefined ? {} : { hostStealPercent: runSteal }) }, totalSeconds, figures, files });
console.log(`\n${renderTable(figures)}\n`);
console.log(`total ${totalSeconds} s; results in ${files.summary.replace(/summary\.json$/, '')}`);
if (check) {
  const checked = checkAims(loadAims(), results);
  console.log(`\naims (bench/bench-aims.json):\n${renderAims(checked)}`);
  const missed = checked.filter((aim) => aim.met === false);
  writeResult('check', { checked, missed: missed.length });
  if (missed.length > 0) {
    console.log(`\n${missed.length} aim(s) missed`);
    process.exitCode = 1;
  }
}
// A bench that failed or ran out of time may have left connections or timers open: they must not keep the process alive.
process.exit();
