/**
 * Turns the benches' JSON results into the figures of the summary: each figure beside its floor
 * or reference measured in the same run, and the aim from issue 6 (reported, never enforced).
 */
import { round } from './bench-stats.ts';

export interface Figure {
  bench: string;
  figure: string;
  value: number | string;
  unit: string;
  reference: string;
  aim: string;
}

export type BenchResults = Record<string, Record<string, unknown>>;

/** A number at a dotted path of a JSON result, or undefined. */
export function numberAt(result: Record<string, unknown> | undefined, path: string): number | undefined {
  let node: unknown = result;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'number' ? node : undefined;
}

function valueAt(result: Record<string, unknown> | undefined, path: string): unknown {
  let node: unknown = result;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

const show = (value: number | undefined, digits = 2) => (value === undefined ? 'n/a' : String(round(value, digits)));

/** `enqueue 0.31 (floor 0.10) · hop …` — each phase's p50 beside the floor's share of it. */
function phaseLine(result: Record<string, unknown>): string {
  const phases = valueAt(result, 'perTurn.phases');
  if (typeof phases !== 'object' || phases === null) return 'n/a';
  return Object.entries(phases as Record<string, Record<string, unknown>>)
    .map(([phase, figures]) => `${phase} ${show(numberAt(figures, 'p50Ms'), 3)} (floor ${show(numberAt(figures, 'floorMs'), 3)}, ${show(numberAt(figures, 'roundTrips'), 0)} RT)`)
    .join(' · ');
}

function unavailable(result: Record<string, unknown> | undefined): string | undefined {
  if (!result) return 'not run';
  if (typeof result.skipped === 'string') return `skipped: ${result.skipped}`;
  if (typeof result.error === 'string') return `error: ${result.error}`;
  return undefined;
}

export function figuresOf(results: BenchResults): Figure[] {
  const figures: Figure[] = [];
  const add = (bench: string, build: (result: Record<string, unknown>) => Omit<Figure, 'bench'>[], label: string) => {
    const result = results[bench];
    const missing = unavailable(result);
    if (missing || !result) figures.push({ bench, figure: label, value: missing ?? 'not run', unit: '', reference: '', aim: '' });
    else figures.push(...build(result).map((figure) => ({ bench, ...figure })));
  };

  add('turn-overhead', (result) => [
    {
      figure: 'overhead per persona turn p50',
      value: show(numberAt(result, 'perTurn.commitToCommit.p50Ms'), 3),
      unit: 'ms',
      reference: `floor ${show(numberAt(result, 'floor.floorP50Ms'), 3)} ms (BullMQ hop + ${show(numberAt(result, 'floor.redisRoundTripsPerTurn'), 0)} round trips replayed: ${String(valueAt(result, 'floor.replayedTrips') ?? 'n/a')}; parts: hop ${show(numberAt(result, 'floor.bullmqHop.chainedStartToStart.p50Ms'), 3)}, PING ${show(numberAt(result, 'floor.pingRoundTrip.p50Ms'), 3)}); ratio ${show(numberAt(result, 'ratio.p50'))}×; phases p50 ${phaseLine(result)}`,
      aim: '≤ 2× floor',
    },
    {
      figure: 'overhead per persona turn p99',
      value: show(numberAt(result, 'perTurn.commitToCommit.p99Ms'), 3),
      unit: 'ms',
      reference: `floor ${show(numberAt(result, 'floor.floorP99Ms'), 3)} ms; ratio ${show(numberAt(result, 'ratio.p99'))}×; CPU of this process per step ${show(numberAt(result, 'perTurn.cpuPerStepMs'), 3)} ms, per floor job ${show(numberAt(result, 'floor.cpuPerJobMs'), 3)} ms`,
      aim: '≤ 2× floor',
    },
  ], 'overhead per persona turn');

  add('turn-throughput', (result) => [
    {
      figure: `throughput, ${show(numberAt(result, 'setup.sessions'), 0)} sessions`,
      value: show(numberAt(result, 'personaTurnsPerSecond'), 0),
      unit: 'turns/s',
      reference: `steady ${show(numberAt(result, 'steadyStatePersonaTurnsPerSecond'), 0)}/s; all steps ${show(numberAt(result, 'stepsPerSecond'), 0)}/s; floor ${show(numberAt(result, 'floor.jobsPerSecond'), 0)} jobs/s (BullMQ + the turn's round trips, same concurrency ${show(numberAt(result, 'setup.workerConcurrency'), 0)}); steps ÷ floor ${show(numberAt(result, 'stepsToFloorRatio'))}`,
      aim: '≥ 1,500 turns/s (≥ 1.31× the code at filing, same run)',
    },
    {
      figure: 'max model calls in flight per session',
      value: show(numberAt(result, 'overlapCheck.maxModelCallsInFlightPerSession'), 0),
      unit: 'calls',
      reference: `${show(numberAt(result, 'overlapCheck.sessionsWithTwoCallsInFlight'), 0)} sessions overlapped`,
      aim: '1',
    },
  ], 'throughput');

  add('code-at-filing', (result) => [
    {
      figure: 'throughput ÷ the code issue 15 was filed against',
      value: show(numberAt(result, 'throughputRatio')),
      unit: '×',
      reference: `that code ${show(numberAt(result, 'throughput.personaTurnsPerSecond'), 0)} turns/s in this run (the issue's table: ${show(numberAt(result, 'issueTable.turnsPerSecond'), 0)} then, aim ${show(numberAt(result, 'issueTable.turnsPerSecondAim'), 0)})`,
      aim: `≥ ${show(numberAt(result, 'throughput.aimAsRatio'))}× (${show(numberAt(result, 'issueTable.turnsPerSecondAim'), 0)} ÷ ${show(numberAt(result, 'issueTable.turnsPerSecond'), 0)})`,
    },
    {
      figure: 'overhead p50 ÷ the code issue 15 was filed against',
      value: show(numberAt(result, 'overheadP50Ratio')),
      unit: '×',
      reference: `that code ${show(numberAt(result, 'overhead.p50Ms'), 3)} ms p50 in this run (the issue's table: ${show(numberAt(result, 'issueTable.overheadP50Ms'), 2)} ms then)`,
      aim: 'reported',
    },
  ], 'the code at filing');

  add('session-storage', (result) => [
    {
      figure: 'Redis bytes per session (100 entries)',
      value: show(numberAt(result, 'sessionBytes'), 0),
      unit: 'bytes',
      reference: `raw text ${show(numberAt(result, 'rawTextBytes'), 0)} B; ratio ${show(numberAt(result, 'ratioToRawText'))}× (+ kept jobs ${show(numberAt(result, 'ratioIncludingFinishedJobs'))}×)`,
      aim: '≤ 1.5× raw, kept jobs included',
    },
  ], 'Redis bytes per session');

  add('session-rss', (result) => [
    {
      figure: `RSS with ${show(numberAt(result, 'setup.sessions'), 0)} active sessions`,
      value: show(numberAt(result, 'afterIntroductions.rssMB'), 1),
      unit: 'MB',
      reference: `before any session ${show(numberAt(result, 'baseline.rssMB'), 1)} MB (${show(numberAt(result, 'ratioToBaseline.afterIntroductions'))}×); peak ${show(numberAt(result, 'peakRssMB'), 1)} MB; open and idle later ${show(numberAt(result, 'settledIdle.rssMB'), 1)} MB (${show(numberAt(result, 'ratioToBaseline.settledIdle'))}×); live heap after GC ${show(numberAt(result, 'afterForcedGc.heapUsedMB'), 1)} MB`,
      aim: '≤ 150 MB',
    },
  ], 'RSS with active sessions');

  add('prompt-size', (result) => {
    const prompts = valueAt(result, 'prompts');
    const tokens = (index: number) => (Array.isArray(prompts) ? numberAt(prompts[index] as Record<string, unknown>, 'estimatedPromptTokens') : undefined);
    return [
      {
        figure: 'prompt tokens per turn, length 1,000 vs 20',
        value: `${show(tokens(2), 0)} vs ${show(tokens(0), 0)}`,
        unit: 'tokens (est.)',
        reference: `ratio ${show(numberAt(result, 'ratio1000To20'))}× (unfolded 1,000, folding during the turn ${show(numberAt(result, 'ratio1000To20AsEngineLeavesIt'))}×; longest summary ${show(numberAt(result, 'ratio1000To20WorstCaseSummary'))}×)`,
        aim: '≤ 1.5×',
      },
      {
        figure: 'prompt shared with the previous turn, between folds',
        value: show(numberAt(result, 'prefixSharing.betweenFolds.p50Percent'), 1),
        unit: '% (p50)',
        reference: `min ${show(numberAt(result, 'prefixSharing.betweenFolds.minPercent'), 1)} %, mean ${show(numberAt(result, 'prefixSharing.betweenFolds.meanPercent'), 1)} % over ${show(numberAt(result, 'prefixSharing.betweenFolds.calls'), 0)} calls; across a fold p50 ${show(numberAt(result, 'prefixSharing.acrossAFold.p50Percent'), 1)} % (${show(numberAt(result, 'prefixSharing.folds'), 0)} folds)`,
        aim: '≥ 90 %',
      },
      {
        figure: 'identical static prefix',
        value: show(numberAt(result, 'staticPrefix.systemMessageChars'), 0),
        unit: 'chars',
        reference: `≈ ${show(numberAt(result, 'staticPrefix.estimatedTokens'), 0)} tokens; byte-identical: ${String(valueAt(result, 'staticPrefix.byteIdenticalAcrossAllFourPrompts'))}`,
        aim: '',
      },
    ];
  }, 'prompt tokens per turn');

  add('image', (result) => [
    {
      figure: 'image preparation 12 MP JPEG p50',
      value: show(numberAt(result, 'ours.pipeline.p50Ms'), 1),
      unit: 'ms',
      reference: `bare sharp resize ${show(numberAt(result, 'bareSharp.timing.p50Ms'), 1)} ms (${show(numberAt(result, 'ratioToBareResize'))}×); p95 ours ${show(numberAt(result, 'ours.pipeline.p95Ms'), 1)} / bare ${show(numberAt(result, 'bareSharp.timing.p95Ms'), 1)} ms; ${show(numberAt(result, 'ours.output.bytes'), 0)} B, ≈${show(numberAt(result, 'ours.output.estimatedTokens'), 0)} vision tokens; bomb refused in ${show(numberAt(result, 'bombRefusal.headerClaims100kBy100k.p50Ms'), 2)} ms`,
      aim: '≤ 1.3× bare resize',
    },
  ], 'image preparation');

  add('platform-burst', (result) => [
    {
      figure: `Discord burst, ${show(numberAt(result, 'setup.sessions'), 0)} sessions in one channel`,
      value: show(numberAt(result, 'emulator429s'), 0),
      unit: '429s',
      reference: `${show(numberAt(result, 'personaWebhookPosts'), 0)} persona posts in ${show(numberAt(result, 'elapsedSeconds'), 1)} s (windows ÷${show(numberAt(result, 'setup.timeScale'), 0)}); adapter saw ${show(numberAt(result, 'adapter429s'), 0)}`,
      aim: '0',
    },
  ], 'platform burst');

  add('slack-throughput', (result) => [
    {
      figure: `Slack, ${show(numberAt(result, 'setup.sessions'), 0)} sessions in ${show(numberAt(result, 'setup.channels'), 0)} channels, real tiers`,
      value: show(numberAt(result, 'personaTurnsPerMinute'), 0),
      unit: 'persona turns/min',
      reference: `ceiling ${show(numberAt(result, 'perChannelCeilingPerMinute'), 0)}/min (1 message/s per channel); ${show(numberAt(result, 'emulator429s'), 0)} × 429; ${show(numberAt(result, 'nativeStreams'), 0)} native streams open p50 ${show(numberAt(result, 'streamOpenMs.p50'), 0)} / max ${show(numberAt(result, 'streamOpenMs.max'), 0)} ms`,
      aim: '≥ 200, 0 × 429',
    },
  ], 'slack throughput');

  add('start-ready', (result) => [
    {
      figure: 'start → ready (npm start → /healthz)',
      value: show(numberAt(result, 'npmStart.p50Ms'), 0),
      unit: 'ms (p50)',
      reference: `plain node on the build ${show(numberAt(result, 'plainNodeOnBuild.p50Ms'), 0)} ms (npm's share ${show(numberAt(result, 'npmShareMs'), 0)} ms); node starting an HTTP server ${show(numberAt(result, 'nodeHttpServerFloor.p50Ms'), 0)} ms (${show(numberAt(result, 'ratioToNodeFloor'))}×)`,
      aim: '≤ 2,000 ms',
    },
  ], 'start → ready');
  add('scale-out', (result) => [
    {
      figure: `scale-out, ${show(numberAt(result, 'setup.sessions'), 0)} sessions: 2 worker processes vs 1`,
      value: show(numberAt(result, 'twoWorkersToOne')),
      unit: '×',
      reference: `1 worker ${show(numberAt(result, 'runs.oneWorker.personaTurnsPerSecond'), 0)} turns/s, 2 workers ${show(numberAt(result, 'runs.twoWorkers.personaTurnsPerSecond'), 0)} turns/s (same Redis node, same ${show(numberAt(result, 'setup.cpus'), 0)}-core machine); CPU per turn: workers ${show(numberAt(result, 'runs.oneWorker.cpuPerTurnMs.workers'), 2)} ms, Redis ${show(numberAt(result, 'runs.oneWorker.cpuPerTurnMs.redis'), 2)} ms (${show(numberAt(result, 'runs.oneWorker.coresBusy.redis'))} cores); ${show(numberAt(result, 'sessionsWithARepeatedTurn'), 0)} sessions with a turn twice`,
      aim: 'reported (issue 17)',
    },
    {
      figure: 'scale-out: three-node Redis Cluster vs one node (1 worker)',
      value: show(numberAt(result, 'clusterToOneNode')),
      unit: '×',
      reference: `cluster ${show(numberAt(result, 'runs.onCluster.personaTurnsPerSecond'), 0)} turns/s vs one node ${show(numberAt(result, 'runs.oneWorker.personaTurnsPerSecond'), 0)} turns/s`,
      aim: 'reported (issue 17)',
    },
  ], 'scale-out');
  return figures;
}

export function renderTable(figures: Figure[]): string {
  const header: Figure = { bench: '', figure: 'figure', value: 'value', unit: 'unit', reference: 'floor / reference (same run)', aim: 'aim' };
  const rows = [header, ...figures].map((figure) => [figure.figure, String(figure.value), figure.unit, figure.reference, figure.aim]);
  const widths = [0, 1, 2, 3, 4].map((column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' │ ');
  const [first, ...rest] = rows;
  return [line(first ?? []), widths.map((width) => '─'.repeat(width)).join('─┼─'), ...rest.map(line)].join('\n');
}
