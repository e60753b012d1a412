/**
 * Orchestration overhead per persona turn, model and platform at 0 ms (in-process instant model
 * and adapter; real Redis, BullMQ, SessionStore and StepMachine). Sessions run one at a time,
 * so nothing queues behind anything else.
 * - per turn: time between a discussion turn's commit and the previous step's commit of the same
 *   session (the full cycle: enqueue, BullMQ hop, reads, model, post, commit); and the step
 *   job's own processing time (StepMachine.process);
 * - floor: a bare chained BullMQ job whose no-op processor makes as many sequential PING round
 *   trips as a turn makes Redis round trips (counted with MONITOR on a traced session), measured
 *   here start to start like the turns; plus its parts (bare hop, PING) for the report.
 */
import { envInteger, round, summarise } from './bench-stats.ts';
import { deleteKeys, uniqueName } from './bench-redis.ts';
import { buildEngineRig, type CommitRecord } from './engine-rig.ts';
import { measureBullmqHop, measurePingRoundTrip } from './overhead-floor.ts';
import { clientAddress, commonestSignature, countBySource, startCommandTrace, stepSignatures } from './redis-command-trace.ts';

const ROUNDS_PER_SESSION = 10;

export async function runTurnOverheadBench(redisUrl: string): Promise<Record<string, unknown>> {
  const sessions = envInteger('BENCH_OVERHEAD_SESSIONS', 5);
  const pingSamples = envInteger('BENCH_PING_SAMPLES', 2_000);
  const hopSamples = envInteger('BENCH_HOP_SAMPLES', 1_000);
  const prefix = uniqueName('bench-overhead-');

  const rig = await buildEngineRig({ redisUrl, prefix, queueName: uniqueName('overhead'), env: { MAX_ROUNDS: 20 } });
  try {
    rig.startWorker(rig.config.WORKER_CONCURRENCY);
    // Warm-up session (JIT, script cache, connections), not recorded.
    await rig.startSession(0, { rounds: ROUNDS_PER_SESSION });
    await rig.drained(60_000);

    rig.store.recording = true;
    rig.machine.recording = true;
    for (let index = 1; index <= sessions; index += 1) {
      await rig.startSession(index, { rounds: ROUNDS_PER_SESSION });
      await rig.drained(60_000);
    }
    rig.store.recording = false;
    rig.machine.recording = false;

    const processingBySeq = new Map(rig.machine.processed.map((record) => [`${record.sessionId}#${record.seq}`, record.endedAt - record.startedAt]));
    const cycle: number[] = [];
    const processing: number[] = [];
    const bySession = new Map<string, CommitRecord[]>();
    for (const commit of rig.store.commits) bySession.set(commit.sessionId, [...(bySession.get(commit.sessionId) ?? []), commit]);
    for (const commits of bySession.values()) {
      commits.sort((left, right) => left.seq - right.seq);
      for (let index = 1; index < commits.length; index += 1) {
        const commit = commits[index];
        const previous = commits[index - 1];
        if (!commit || !previous || commit.stage !== 'discussion' || commit.seq !== previous.seq + 1) continue;
        cycle.push(commit.at - previous.at);
        const processed = processingBySeq.get(`${commit.sessionId}#${commit.seq}`);
        if (processed !== undefined) processing.push(processed);
      }
    }

    // Round trips per turn, counted on a separate traced session (MONITOR slows Redis down).
    const mainAddress = await clientAddress(rig.redis);
    const stepsBefore = rig.model.calls;
    const trace = await startCommandTrace(redisUrl);
    await rig.startSession(sessions + 1, { rounds: 4 });
    await rig.drained(60_000);
    const commands = await trace.stop();
    const tracedSteps = stepSignatures(commands, mainAddress);
    const turn = commonestSignature(tracedSteps);
    const roundTrips = turn?.signature.roundTrips ?? Number.NaN;
    const bySource = countBySource(commands, mainAddress);

    const ping = await measurePingRoundTrip(redisUrl, pingSamples);
    const hop = await measureBullmqHop(redisUrl, `${prefix}:floor`, uniqueName('hop'), { samples: hopSamples, isolated: true });
    const floor = await measureBullmqHop(redisUrl, `${prefix}:floor`, uniqueName('floor'), { samples: hopSamples, roundTripsPerJob: Number.isFinite(roundTrips) ? roundTrips : 0 });
    const cycleSummary = summarise(cycle);
    const floorP50 = floor.chainedStartToStart.p50Ms;
    const floorP99 = floor.chainedStartToStart.p99Ms;
    return {
      description: 'persona discussion turns with an instant in-process model and adapter; real Redis, BullMQ, SessionStore, StepMachine; one session at a time',
      setup: { sessions, roundsPerSession: ROUNDS_PER_SESSION, personas: rig.panel.personas.length, workerConcurrency: rig.config.WORKER_CONCURRENCY, answerChars: 300 },
      perTurn: {
        commitToCommit: cycleSummary,
        stepJobProcessing: summarise(processing),
      },
      floor: {
        pingRoundTrip: ping,
        bullmqHop: hop,
        redisRoundTripsPerTurn: roundTrips,
        floorChain: floor.chainedStartToStart,
        floorP50Ms: round(floorP50),
        floorP99Ms: round(floorP99),
        floorBySumOfP50s: round(hop.chainedStartToStart.p50Ms + roundTrips * ping.p50Ms),
        formula: 'a chained no-op BullMQ job making `redisRoundTripsPerTurn` sequential PINGs, start to start (sum of parts given as floorBySumOfP50s)',
      },
      ratio: { p50: round(cycleSummary.p50Ms / floorP50, 2), p99: round(cycleSummary.p99Ms / floorP99, 2) },
      redisTrace: {
        tracedSteps: tracedSteps.length,
        modelCallsDuringTrace: rig.model.calls - stepsBefore,
        turnSequence: turn?.signature.sequence,
        turnCommandsOnMainConnection: turn?.signature.commands,
        turnsWithThisSequence: turn?.occurrences,
        commandsPerStep: {
          mainConnection: round(bySource.main / Math.max(1, tracedSteps.length), 1),
          insideLuaScripts: round(bySource.lua / Math.max(1, tracedSteps.length), 1),
          bullmqWorkerConnections: round(bySource.otherConnections / Math.max(1, tracedSteps.length), 1),
        },
      },
      overlapCheck: { maxModelCallsInFlightPerSession: rig.model.maxInFlightPerSession },
    };
  } finally {
    await rig.stop();
    await deleteKeys(redisUrl, prefix);
  }
}
