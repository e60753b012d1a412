/**
 * The floor under one persona turn, measured on the same Redis in the same run:
 * - a Redis round trip (sequential PINGs on a fresh connection);
 * - one BullMQ hop: a bare Queue + Worker with a no-op processor and the step queue's job
 *   options, both chained (each job adds the next, as a committed step enqueues the next one)
 *   and isolated (add from outside while the worker is idle, until the processor starts);
 * - the turn floor itself: the same chain whose processor, before adding the next job, replays
 *   the Redis round trips a turn makes (found by RoundTripRecorder: a pipeline or a concurrent
 *   batch is one round trip) with PINGs of the same batch sizes and shapes, on a connection made
 *   like the store's — so p50 and p99 come from one measured distribution.
 *   The turn's own enqueue is not replayed: the chain's add is that part.
 */
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { createLogger } from '../src/logging/logger.ts';
import { createRedis, waitUntilReady } from '../src/store/redis-connection.ts';
import { stepJobOptions } from '../src/pipeline/step-queue.ts';
import { sleep, summarise, type LatencySummary } from './bench-stats.ts';
import { replayTrips, type RoundTrip } from './round-trip-recorder.ts';

/** Jobs (the floor) or steps (the turn bench) run before anything is measured. */
export const WARM_UP = 200;

interface FloorChain<T> {
  queue: Queue<T>;
  worker: Worker<T>;
  /** Closes the worker, the queue and the connections. */
  close(): Promise<void>;
}

/**
 * A bare BullMQ Queue + Worker on connections made as start-app.ts makes the engine's (the
 * queue's, the store's auto-pipelined, the worker's), with the step queue's job options so the
 * floor pays for the same bookkeeping. The processor gets `replay` (the turn's round trips on the
 * store-like connection) and the queue, to add its chain's next job.
 */
async function openFloorChain<T>(
  url: string,
  prefix: string,
  queueName: string,
  trips: readonly Pick<RoundTrip, 'commands' | 'shape'>[],
  processor: (job: Job<T>, queue: Queue<T>, replay: () => Promise<void>) => Promise<void>,
  workerOptions: { concurrency: number; autorun?: boolean },
): Promise<FloorChain<T>> {
  const logger = createLogger('silent');
  const connection = createRedis(url, logger, { name: 'floor-queue', failFast: true });
  const storeConnection = createRedis(url, logger, { name: 'floor-main', failFast: true, autoPipelining: true });
  const workerConnection = createRedis(url, logger, { name: 'floor-worker' });
  const queue = new Queue<T>(queueName, { connection: connection as unknown as ConnectionOptions, prefix, defaultJobOptions: stepJobOptions(2_000) });
  const replay = () => replayTrips(storeConnection, trips);
  const worker = new Worker<T>(queueName, (job) => processor(job, queue, replay), {
    connection: workerConnection as unknown as ConnectionOptions,
    prefix,
    lockDuration: 60_000,
    maxStalledCount: 2,
    ...workerOptions,
  });
  await Promise.all([worker.waitUntilReady(), waitUntilReady(connection, 15_000), waitUntilReady(storeConnection, 15_000)]);
  return {
    queue,
    worker,
    async close() {
      await worker.close();
      await queue.close();
      workerConnection.disconnect();
      storeConnection.disconnect();
      connection.disconnect();
    },
  };
}

export async function measurePingRoundTrip(url: string, samples: number): Promise<LatencySummary> {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  try {
    for (let index = 0; index < WARM_UP; index += 1) await redis.ping();
    const timings: number[] = [];
    for (let index = 0; index < samples; index += 1) {
      const started = performance.now();
      await redis.ping();
      timings.push(performance.now() - started);
    }
    return summarise(timings);
  } finally {
    redis.disconnect();
  }
}

export interface HopFloor {
  chainedStartToStart: LatencySummary;
  /** This process's CPU (user + system) per chained job after the warm-up, in ms. */
  cpuPerJobMs: number;
  isolatedAddToStart?: LatencySummary;
}

export interface HopOptions {
  samples: number;
  /** The Redis round trips each chained job makes before adding the next, replayed with PINGs of the same batch shapes (none = a bare hop). */
  trips?: readonly Pick<RoundTrip, 'commands' | 'shape'>[];
  /** Also measure isolated add → processor start. */
  isolated?: boolean;
}

export async function measureBullmqHop(url: string, prefix: string, queueName: string, options: HopOptions): Promise<HopFloor> {
  const floor = await openHopFloor(url, prefix, queueName, options.trips ?? []);
  try {
    await floor.run(options.samples);
    const result = floor.result();
    if (!options.isolated) return result;
    return { ...result, isolatedAddToStart: await floor.isolatedAddToStart(Math.min(options.samples, 300)) };
  } finally {
    await floor.close();
  }
}

/**
 * A floor chain measured in segments, so that a bench can interleave them with what it compares
 * them to (the turn bench runs one segment after each measured session): both then see the same
 * machine, and a drift in its speed during the run moves both sides of the ratio alike.
 */
export interface HopFloorSegments {
  /** Runs `samples` chained jobs (a segment: its first job is added from outside, as a chain's start). */
  run(samples: number): Promise<void>;
  /** Start-to-start of consecutive jobs within every segment run so far, and their CPU. */
  result(): HopFloor;
  /** Isolated add → processor start, the worker idle before each add. */
  isolatedAddToStart(samples: number): Promise<LatencySummary>;
  close(): Promise<void>;
}

/** Opens a floor chain (`trips`: the round trips each job replays; none = a bare hop) and warms it up with WARM_UP jobs. */
export async function openHopFloor(url: string, prefix: string, queueName: string, trips: readonly Pick<RoundTrip, 'commands' | 'shape'>[]): Promise<HopFloorSegments> {
  const intervals: number[] = [];
  let cpuMs = 0;
  let segment: { starts: number[]; length: number; done: () => void } | undefined;
  let isolatedStart: ((at: number) => void) | undefined;
  let segments = 0;
  const floor = await openFloorChain<{ segment: number; index: number }>(
    url,
    prefix,
    queueName,
    trips,
    async (job, queue, replay) => {
      const at = performance.now();
      if (job.name === 'isolated') {
        isolatedStart?.(at);
        return;
      }
      if (!segment) return;
      segment.starts.push(at);
      await replay();
      const { segment: number, index } = job.data;
      if (index < segment.length) await queue.add('chained', { segment: number, index: index + 1 }, { jobId: `hop__${number}__${index + 1}` });
      else segment.done();
    },
    { concurrency: 8 },
  );
  const runSegment = async (samples: number): Promise<number[]> => {
    const done = new Promise<void>((resolve) => (segment = { starts: [], length: samples, done: resolve }));
    const number = (segments += 1);
    await floor.queue.add('chained', { segment: number, index: 0 }, { jobId: `hop__${number}__0` });
    await done;
    const { starts } = segment!;
    segment = undefined;
    return starts;
  };
  await runSegment(WARM_UP);
  return {
    async run(samples) {
      const cpuFrom = process.cpuUsage();
      // samples + 1 jobs: `samples` start-to-start intervals.
      const starts = await runSegment(samples);
      const cpu = process.cpuUsage(cpuFrom);
      cpuMs += (cpu.user + cpu.system) / 1000;
      for (let index = 1; index < starts.length; index += 1) intervals.push(starts[index]! - starts[index - 1]!);
    },
    result: () => ({ chainedStartToStart: summarise(intervals), cpuPerJobMs: cpuMs / Math.max(1, intervals.length) }),
    async isolatedAddToStart(samples) {
      const isolated: number[] = [];
      for (let index = 0; index < samples + 20; index += 1) {
        await sleep(2); // let the worker go back to waiting for work
        const started = performance.now();
        const begun = new Promise<number>((resolve) => (isolatedStart = resolve));
        await floor.queue.add('isolated', { segment: 0, index }, { jobId: `isolated__${index}` });
        const at = await begun;
        if (index >= 20) isolated.push(at - started);
      }
      return summarise(isolated);
    },
    close: () => floor.close(),
  };
}

export interface ThroughputFloorOptions {
  /** Independent chains (one per session). */
  chains: number;
  /** Jobs each chain runs, one after another. */
  jobsPerChain: number;
  /** Worker concurrency, as the engine's. */
  concurrency: number;
  trips?: readonly Pick<RoundTrip, 'commands' | 'shape'>[];
}

/**
 * The throughput floor: `chains` chains at once (as many sessions), each job replaying a turn's
 * round trips and adding its chain's next job, on a worker of the same concurrency and job
 * options as the engine's. Jobs per second from the first start to the last end.
 */
export async function measureChainThroughput(url: string, prefix: string, queueName: string, options: ThroughputFloorOptions): Promise<{ jobs: number; seconds: number; jobsPerSecond: number }> {
  const { chains, jobsPerChain, concurrency, trips = [] } = options;
  let done = 0;
  let allDone: (() => void) | undefined;
  const finished = new Promise<void>((resolve) => (allDone = resolve));
  const floor = await openFloorChain<{ chain: number; index: number }>(
    url,
    prefix,
    queueName,
    trips,
    async (job, queue, replay) => {
      await replay();
      const { chain, index } = job.data;
      if (index + 1 < jobsPerChain) await queue.add('chained', { chain, index: index + 1 }, { jobId: `tp__${chain}__${index + 1}` });
      else if (++done === chains) allDone?.();
    },
    { concurrency, autorun: false },
  );
  try {
    await floor.queue.addBulk(Array.from({ length: chains }, (_, chain) => ({ name: 'chained', data: { chain, index: 0 }, opts: { jobId: `tp__${chain}__0` } })));
    const started = performance.now();
    void floor.worker.run();
    await finished;
    const seconds = (performance.now() - started) / 1000;
    return { jobs: chains * jobsPerChain, seconds, jobsPerSecond: (chains * jobsPerChain) / seconds };
  } finally {
    await floor.close();
  }
}
