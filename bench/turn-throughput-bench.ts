/**
 * Throughput: persona turns per second with many concurrent sessions in one process (instant
 * model and adapter, real Redis and BullMQ). All sessions are started first, then the worker
 * starts and the clock runs until the last step committed. While they run, every session also
 * gets one message from its person (through Roundtable.submit, which appends to the inbox and
 * kicks the current step), so duplicate kicks race with running steps. The instant model counts
 * model calls in flight per session: the engine promises never more than one.
 */
import { envInteger, round } from './bench-stats.ts';
import { deleteKeys, uniqueName } from './bench-redis.ts';
import { buildEngineRig } from './engine-rig.ts';
import { realisticText } from './realistic-text.ts';
import { measureChainThroughput } from './overhead-floor.ts';
import { describeTrips, RoundTripRecorder } from './round-trip-recorder.ts';
import { traceTurnShape } from './turn-phases.ts';

async function inBatches<T>(items: T[], width: number, run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await run(item);
    }
  });
  await Promise.all(lanes);
}

export async function runTurnThroughputBench(redisUrl: string): Promise<Record<string, unknown>> {
  const sessions = envInteger('BENCH_SESSIONS', 1_000);
  const concurrency = envInteger('BENCH_CONCURRENCY', 200);
  const messagesPerSession = envInteger('BENCH_MESSAGES_PER_SESSION', 1);
  const prefix = uniqueName('bench-throughput-');
  const rig = await buildEngineRig({ redisUrl, prefix, queueName: uniqueName('throughput'), env: { WORKER_CONCURRENCY: concurrency } });
  try {
    // The turn's round-trip shape, from one session traced alone before the timed run (it also warms up).
    const recorder = new RoundTripRecorder(rig.redis);
    rig.startWorker(concurrency);
    const shape = await traceTurnShape(rig, recorder, sessions + 1, 2);
    // Paused while the sessions are created, so that they all start together when the clock does.
    await rig.queue.pauseWorker();
    const indexes = Array.from({ length: sessions }, (_, index) => index);
    const sessionIds: string[] = [];
    const createStarted = performance.now();
    await inBatches(indexes, 50, async (index) => sessionIds.push(await rig.startSession(index)));
    const createMs = performance.now() - createStarted;

    rig.store.recording = true;
    rig.machine.recording = true;
    const chatCallsBefore = rig.model.callsByRole.chat ?? 0;
    const started = performance.now();
    rig.queue.resumeWorker();
    const messages = sessionIds.flatMap((sessionId, index) => Array.from({ length: messagesPerSession }, (_, message) => ({ sessionId, index, message })));
    await inBatches(messages, 10, ({ sessionId, index, message }) =>
      rig.roundtable.submit(sessionId, { id: `person-${index}`, displayName: `Person ${index}` }, { type: 'message', text: realisticText(index + message, 200), images: [] }),
    );
    await rig.drained(10 * 60_000);
    rig.store.recording = false;
    rig.machine.recording = false;

    const commits = rig.store.commits.map((commit) => commit.at).sort((left, right) => left - right);
    const lastCommit = commits.at(-1) ?? started;
    const elapsedSeconds = (lastCommit - started) / 1000;
    const personaTurns = (rig.model.callsByRole.chat ?? 0) - chatCallsBefore;
    // Steady state: the middle 80 % of commits, without the ramp-up and the tail.
    const from = commits[Math.floor(commits.length * 0.1)] ?? started;
    const to = commits[Math.floor(commits.length * 0.9)] ?? lastCommit;
    const steadyShare = 0.8 * (personaTurns / Math.max(1, commits.length));
    const results = new Map<string, number>();
    for (const record of rig.machine.processed) results.set(record.result, (results.get(record.result) ?? 0) + 1);
    const counts = await rig.queue.queue.getJobCounts('completed', 'failed');
    // The floor: as many chains as sessions, each job replaying the turn's round trips, the same
    // number of jobs in all as steps committed, on a worker of the same concurrency.
    const floor = await measureChainThroughput(redisUrl, `${prefix}:floor`, uniqueName('tp-floor'), {
      chains: sessions,
      jobsPerChain: Math.max(1, Math.round(commits.length / sessions)),
      concurrency,
      trips: shape?.replayed ?? [],
    });
    const personaPostsPerSession = sessionIds.map((sessionId) => rig.adapter.postsBySession.get(sessionId) ?? 0);

    return {
      description: 'persona turns per second, all sessions concurrent in one process, instant model and adapter, real Redis + BullMQ',
      setup: { sessions, workerConcurrency: concurrency, personas: rig.panel.personas.length, autoRounds: rig.config.AUTO_ROUNDS, messagesPerSession, sessionCreateMs: Math.round(createMs) },
      personaTurns,
      stepsCommitted: commits.length,
      elapsedSeconds: round(elapsedSeconds, 2),
      personaTurnsPerSecond: round(personaTurns / elapsedSeconds, 0),
      stepsPerSecond: round(commits.length / elapsedSeconds, 0),
      steadyStatePersonaTurnsPerSecond: round((commits.length * steadyShare) / ((to - from) / 1000), 0),
      floor: {
        description: 'the same number of BullMQ jobs in as many chains as sessions, each replaying the turn\'s Redis round trips (turn-phases.ts), same worker concurrency and job options',
        replayedTrips: describeTrips(shape?.replayed ?? []),
        jobs: floor.jobs,
        jobsPerSecond: round(floor.jobsPerSecond, 0),
      },
      stepsToFloorRatio: round(commits.length / elapsedSeconds / floor.jobsPerSecond, 2),
      stepResults: Object.fromEntries(results),
      jobs: counts,
      postsPerSession: { min: Math.min(...personaPostsPerSession), max: Math.max(...personaPostsPerSession) },
      overlapCheck: {
        maxModelCallsInFlightPerSession: rig.model.maxInFlightPerSession,
        sessionsWithTwoCallsInFlight: rig.model.sessionsWithOverlap.size,
        modelCalls: rig.model.calls,
      },
    };
  } finally {
    await rig.stop();
    await deleteKeys(redisUrl, prefix);
  }
}
