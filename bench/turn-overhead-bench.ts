/**
 * Orchestration overhead per persona turn, model and platform at 0 ms (in-process instant model
 * and adapter; real Redis, BullMQ, SessionStore and StepMachine). Sessions run one at a time,
 * so nothing queues behind anything else.
 * - per turn: time between a discussion turn's commit and the previous step's commit of the same
 *   session (the full cycle: enqueue, BullMQ hop, reads, model, post, commit); and the step
 *   job's own processing time (StepMachine.process);
 * - per phase: the cycle cut at the rig's phase marks (turn-phases.ts), each beside the floor's
 *   share of it (the bare hop; the phase's round trips × a PING);
 * - floor: a chained BullMQ job with the step queue's options whose processor replays the
 *   turn's Redis round trips (counted client-side on a traced session: a pipeline or a
 *   concurrent batch is one round trip), measured start to start like the turns, in segments
 *   run between the measured sessions (so that a machine whose speed drifts during the run moves
 *   both sides of the ratio alike); plus its parts (bare hop, PING). MONITOR's view of the same
 *   turn is in `redisTrace`.
 */
import { envInteger, round, summarise } from './bench-stats.ts';
import { deleteKeys, uniqueName } from './bench-redis.ts';
import { buildEngineRig, type CommitRecord } from './engine-rig.ts';
import { measureBullmqHop, measurePingRoundTrip, openHopFloor, type HopFloorSegments } from './overhead-floor.ts';
import { clientAddress, commonestSignature, countBySource, startCommandTrace, stepSignatures } from './redis-command-trace.ts';
import { describeTrips, RoundTripRecorder } from './round-trip-recorder.ts';
import { traceTurnShape, turnCycles, turnPhases } from './turn-phases.ts';

const ROUNDS_PER_SESSION = 10;
/**
 * Steps run before the turns are measured. V8 optimises a function only some hundreds of calls
 * after its inline caches last changed (`--minimum-invocations-after-ic-update`, 500 in Node
 * 20), and a step's code sees new shapes for a while (each session's opening and closing steps
 * pass through it too): after 200 steps this process still spent about a fifth more CPU per
 * turn than after 1,500, and was still compiling on its background threads (bench: CPU per step,
 * 10 interleaved runs). After 1,500 it still was: a rare object shape deoptimises the step
 * machine's large functions now and then, and each recompile of one (with what it inlines) takes
 * 30-60 ms of a background thread on a 2-core machine that also runs Redis. Over the 1,400 steps
 * measured, `--trace-opt` counted 72 compiles taking 396 ms after 1,500 steps of warm-up, 19
 * taking 81 ms after 6,000. A bot that has run for an hour is past that.
 */
const TURN_WARM_UP = 6_000;

export async function runTurnOverheadBench(redisUrl: string): Promise<Record<string, unknown>> {
  // Each session gives 70 turns. A p99 is read from the tail's few largest samples: of 700 turns
  // (10 sessions) it was the 7th largest, and two runs a minute apart on a quiet host read the
  // p99 ratio as 1.65 and 2.21; 20 sessions put 14 turns and 20 floor jobs beyond it.
  const sessions = envInteger('BENCH_OVERHEAD_SESSIONS', 20);
  const pingSamples = envInteger('BENCH_PING_SAMPLES', 2_000);
  const hopSamples = envInteger('BENCH_HOP_SAMPLES', 2_000);
  const prefix = uniqueName('bench-overhead-');

  const rig = await buildEngineRig({ redisUrl, prefix, queueName: uniqueName('overhead'), env: { MAX_ROUNDS: 20 } });
  let floor: HopFloorSegments | undefined;
  try {
    rig.startWorker(rig.config.WORKER_CONCURRENCY);
    // Warm-up (JIT, script cache, connections), not recorded, until the turn's code is in the
    // steady state a running bot is in (TURN_WARM_UP). The floor's chain warms up with WARM_UP
    // jobs of its own: its processor is a few lines, and the BullMQ and ioredis code it shares
    // with the turns is warm by then.
    const warmUpFrom = rig.machine.processedCount;
    const warmUpSteps = envInteger('BENCH_TURN_WARM_UP', TURN_WARM_UP);
    for (let index = 0; rig.machine.processedCount - warmUpFrom < warmUpSteps; index -= 1) {
      await rig.startSession(index, { rounds: ROUNDS_PER_SESSION });
      await rig.drained(60_000);
    }
    const warmedUpSteps = rig.machine.processedCount - warmUpFrom;

    // Round trips per turn, counted on a separate traced session: client-side (RoundTripRecorder:
    // a pipeline or concurrent batch is one round trip) for the floor, and with MONITOR for the
    // server's view (MONITOR slows Redis down, so neither is timed). Traced once the rig is warm
    // and quiet: MONITOR started while the worker's connections were starting up sometimes handed
    // ioredis a monitored line as a reply ("Command queue state error"). The recorder wraps the
    // main connection only for that session: the timed turns run without it.
    const recorder = new RoundTripRecorder(rig.redis);
    const mainAddress = await clientAddress(rig.redis);
    const stepsBefore = rig.model.calls;
    const trace = await startCommandTrace(redisUrl);
    const turnShape = await traceTurnShape(rig, recorder, sessions + 1, 4);
    const commands = await trace.stop();
    const modelCallsDuringTrace = rig.model.calls - stepsBefore;
    const tracedSteps = stepSignatures(commands, mainAddress);
    const monitorTurn = commonestSignature(tracedSteps);
    const bySource = countBySource(commands, mainAddress);
    const replayed = turnShape?.replayed ?? [];
    recorder.dispose();

    // The floor's segments interleaved with the measured sessions: one after each.
    floor = await openHopFloor(redisUrl, `${prefix}:floor`, uniqueName('floor'), replayed);
    const marksFrom = rig.phases.marks.length;
    let cpuMs = 0;
    let steps = 0;
    for (let index = 1; index <= sessions; index += 1) {
      rig.store.recording = true;
      rig.machine.recording = true;
      rig.phases.recording = true;
      const cpuFrom = process.cpuUsage();
      const stepsFrom = rig.machine.processedCount;
      await rig.startSession(index, { rounds: ROUNDS_PER_SESSION });
      await rig.drained(60_000);
      // What the ratio is made of on a CPU-bound machine: this process's CPU per step, beside the floor's per job.
      const cpu = process.cpuUsage(cpuFrom);
      cpuMs += (cpu.user + cpu.system) / 1000;
      steps += rig.machine.processedCount - stepsFrom;
      rig.store.recording = false;
      rig.machine.recording = false;
      rig.phases.recording = false;
      await floor.run(Math.ceil(hopSamples / sessions));
    }
    const cpuPerStepMs = cpuMs / Math.max(1, steps);
    const timedTurns = turnCycles(rig.phases.marks.slice(marksFrom));

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

    const floorResult = floor.result();
    await floor.close();
    floor = undefined;
    const ping = await measurePingRoundTrip(redisUrl, pingSamples);
    const hop = await measureBullmqHop(redisUrl, `${prefix}:floor`, uniqueName('hop'), { samples: hopSamples, isolated: true });
    const cycleSummary = summarise(cycle);
    const floorP50 = floorResult.chainedStartToStart.p50Ms;
    const floorP99 = floorResult.chainedStartToStart.p99Ms;
    // Each phase beside the floor's share of it: the bare hop for `hop`, its round trips × PING for the rest.
    const phases = Object.fromEntries(
      turnPhases.map((phase) => {
        const trips = turnShape?.byPhase[phase] ?? [];
        const floorMs = phase === 'hop' ? hop.chainedStartToStart.p50Ms : trips.length * ping.p50Ms;
        const summary = summarise(timedTurns.map((turn) => turn.phases[phase].to - turn.phases[phase].from));
        return [phase, { p50Ms: summary.p50Ms, p99Ms: summary.p99Ms, meanMs: summary.meanMs, roundTrips: trips.length, trips: describeTrips(trips), floorMs: round(floorMs, 3) }];
      }),
    );
    return {
      description: 'persona discussion turns with an instant in-process model and adapter; real Redis, BullMQ, SessionStore, StepMachine; one session at a time',
      setup: { sessions, roundsPerSession: ROUNDS_PER_SESSION, warmUpSteps: warmedUpSteps, personas: rig.panel.personas.length, workerConcurrency: rig.config.WORKER_CONCURRENCY, answerChars: 300 },
      perTurn: {
        commitToCommit: cycleSummary,
        stepJobProcessing: summarise(processing),
        cpuPerStepMs: round(cpuPerStepMs, 3),
        phaseTurns: timedTurns.length,
        phases,
      },
      floor: {
        pingRoundTrip: ping,
        bullmqHop: hop,
        redisRoundTripsPerTurn: replayed.length,
        replayedTrips: describeTrips(replayed),
        turnsWithThisShape: turnShape?.turnsWithThisShape,
        tracedTurns: turnShape?.tracedTurns,
        floorChain: floorResult.chainedStartToStart,
        floorP50Ms: round(floorP50),
        floorP99Ms: round(floorP99),
        cpuPerJobMs: round(floorResult.cpuPerJobMs, 3),
        floorBySumOfP50s: round(hop.chainedStartToStart.p50Ms + replayed.length * ping.p50Ms),
        formula: "a chained no-op BullMQ job (the step queue's job options) that replays the turn's Redis round trips — each pipeline or concurrent batch one round trip, as PINGs of the same batch sizes and shapes — then adds the next job, start to start, in one segment after each measured session; the turn's own enqueue is the chain's add",
      },
      ratio: { p50: round(cycleSummary.p50Ms / floorP50, 2), p99: round(cycleSummary.p99Ms / floorP99, 2) },
      redisTrace: {
        tracedSteps: tracedSteps.length,
        modelCallsDuringTrace,
        monitorTurnSequence: monitorTurn?.signature.sequence,
        turnCommandsOnMainConnection: monitorTurn?.signature.commands,
        turnsWithThisSequence: monitorTurn?.occurrences,
        commandsPerStep: {
          mainConnection: round(bySource.main / Math.max(1, tracedSteps.length), 1),
          insideLuaScripts: round(bySource.lua / Math.max(1, tracedSteps.length), 1),
          bullmqWorkerConnections: round(bySource.otherConnections / Math.max(1, tracedSteps.length), 1),
        },
      },
      overlapCheck: { maxModelCallsInFlightPerSession: rig.model.maxInFlightPerSession },
    };
  } finally {
    await floor?.close();
    await rig.stop();
    await deleteKeys(redisUrl, prefix);
  }
}
