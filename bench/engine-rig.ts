/**
 * The engine composed by the same composeEngine as start-app.ts — real Redis, real BullMQ (StepQueue), real
 * SessionStore, Roundtable and StepMachine — but with the instant model and the instant adapter,
 * so that what is left to measure is orchestration (budgets and Prometheus metrics included, as in production). Optionally records each commit's time and
 * each step job's processing time.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RedisClient, RedisTarget } from '../src/store/redis-connection.ts';
import type { Config } from '../src/config/config-schema.ts';
import { configFrom } from '../src/config/load-config.ts';
import { StepMachine, type StepResult } from '../src/pipeline/step-machine.ts';
import type { Roundtable } from '../src/engine/roundtable.ts';
import { composeEngine } from '../src/app/compose-engine.ts';
import { createLogger, type Logger } from '../src/logging/logger.ts';
import { Metrics } from '../src/observability/metrics.ts';
import type { Panel } from '../src/panels/panel-schema.ts';
import type { StepQueue } from '../src/pipeline/step-queue.ts';
import type { RedisKeys } from '../src/store/keys.ts';
import { createRedis, waitUntilReady } from '../src/store/redis-connection.ts';
import { SessionStore, type StepCommit } from '../src/store/session-store.ts';
import type { StartRequest } from '../src/adapter/inbound-event.ts';
import { InstantAdapter } from './instant-adapter.ts';
import { loadCommands } from '../commands/load-commands.ts';
import { InstantModel, type InstantModelOptions } from './instant-model.ts';
import { sleep } from './bench-stats.ts';

export interface CommitRecord {
  sessionId: string;
  seq: number;
  stage: string | undefined;
  at: number;
}

export interface ProcessRecord {
  sessionId: string;
  seq: number;
  startedAt: number;
  endedAt: number;
  result: string;
}

/** A moment of a step, for the per-phase breakdown (sessions run one at a time when it is used). */
export type PhaseMark = 'job-start' | 'snapshot-end' | 'model-start' | 'model-end' | 'commit-start' | 'commit-end' | 'enqueue-start' | 'enqueue-end' | 'job-end';

export class PhaseMarks {
  recording = false;
  readonly marks: { sessionId: string; mark: PhaseMark; at: number; stage?: string }[] = [];

  /** `stage`: the stage a commit leaves the session in (which kind of step it was). */
  mark(sessionId: string, mark: PhaseMark, stage?: string): void {
    if (this.recording) this.marks.push({ sessionId, mark, at: performance.now(), ...(stage ? { stage } : {}) });
  }
}

/** Session store that notes when each step committed (bench instrumentation only). */
export class TimedSessionStore extends SessionStore {
  recording = false;
  readonly commits: CommitRecord[] = [];
  readonly phases = new PhaseMarks();

  override async snapshot(sessionId: string, options: Parameters<SessionStore['snapshot']>[1]): ReturnType<SessionStore['snapshot']> {
    const snapshot = await super.snapshot(sessionId, options);
    this.phases.mark(sessionId, 'snapshot-end');
    return snapshot;
  }

  override async commit(sessionId: string, expectSeq: number, commit: StepCommit): ReturnType<SessionStore["commit"]> {
    this.phases.mark(sessionId, 'commit-start');
    const next = await super.commit(sessionId, expectSeq, commit);
    this.phases.mark(sessionId, 'commit-end', commit.meta?.stage);
    if (this.recording && next !== undefined) this.commits.push({ sessionId, seq: expectSeq, stage: commit.meta?.stage, at: performance.now() });
    return next;
  }
}

/** Step machine that notes how long each step job's body ran. */
export class TimedStepMachine extends StepMachine {
  recording = false;
  readonly processed: ProcessRecord[] = [];
  /** Steps processed since the rig started, recorded or not. */
  processedCount = 0;
  phases?: PhaseMarks;

  override async process(job: Parameters<StepMachine['process']>[0], attempt: Parameters<StepMachine['process']>[1]): Promise<StepResult> {
    const startedAt = performance.now();
    this.phases?.mark(job.sessionId, 'job-start');
    const result = await super.process(job, attempt);
    this.phases?.mark(job.sessionId, 'job-end');
    this.processedCount += 1;
    if (this.recording) this.processed.push({ sessionId: job.sessionId, seq: job.seq, startedAt, endedAt: performance.now(), result });
    return result;
  }
}

export interface EngineRigOptions {
  redisUrl: string;
  /** A cluster or Sentinel instead of `redisUrl` (the scale-out bench). */
  redisTarget?: RedisTarget;
  prefix: string;
  queueName: string;
  /** Extra configuration (env var names), e.g. { MAX_ROUNDS: 20 }. */
  env?: Record<string, string | number>;
  model?: InstantModelOptions;
}

export interface EngineRig {
  config: Config;
  logger: Logger;
  redis: RedisClient;
  keys: RedisKeys;
  store: TimedSessionStore;
  /** The steps' moments (store.phases), recorded while `phases.recording`. */
  phases: PhaseMarks;
  queue: StepQueue;
  machine: TimedStepMachine;
  roundtable: Roundtable;
  model: InstantModel;
  adapter: InstantAdapter;
  panel: Panel;
  startWorker(concurrency: number): void;
  /** Starts a session in a thread of its own (`terminal:<channel>:<thread>`). */
  startSession(index: number, overrides?: Partial<StartRequest>): Promise<string>;
  /** Resolves when no step job is waiting, active or delayed; throws after `timeoutMs`. */
  drained(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export async function buildEngineRig(options: EngineRigOptions): Promise<EngineRig> {
  const config = configFrom({
    REDIS_URL: options.redisUrl,
    REDIS_KEY_PREFIX: options.prefix,
    QUEUE_NAME: options.queueName,
    LOG_LEVEL: 'silent',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'tableround-bench-')),
    OPENAI_API_KEY: 'unused',
    SHUTDOWN_GRACE_MS: 5_000,
    ...options.env,
  });
  const logger = createLogger('silent');
  // As start-app.ts makes it.
  const target: RedisTarget = options.redisTarget ?? { kind: 'single', url: options.redisUrl };
  const redis = createRedis(target, logger, { name: 'main', failFast: true, autoPipelining: process.env.BENCH_NO_AUTOPIPELINE !== '1' });
  const queueRedis = createRedis(target, logger, { name: 'queue', failFast: true });
  await Promise.all([waitUntilReady(redis, 15_000), waitUntilReady(queueRedis, 15_000)]);
  const metrics = new Metrics();
  const model = new InstantModel(logger, metrics, options.model);
  const adapter = new InstantAdapter();
  const engine = composeEngine({
    config,
    logger,
    redis,
    queueRedis,
    metrics,
    adapterFor: () => adapter,
    commands: await loadCommands(),
    createStore: (connection, keys, ttlHours) => new TimedSessionStore(connection, keys, ttlHours),
    createModels: () => model,
    createMachine: (dependencies, hooks) => new TimedStepMachine(dependencies, hooks),
  });
  const { keys, queue, roundtable, identities } = engine;
  const store = engine.store as TimedSessionStore;
  const machine = engine.machine as TimedStepMachine;
  // One set of phase marks for the step machine, the store, the model and the queue.
  const phases = store.phases;
  machine.phases = phases;
  model.onCall = (sessionId, moment) => phases.mark(sessionId, moment === 'start' ? 'model-start' : 'model-end');
  const enqueue = queue.enqueue.bind(queue);
  queue.enqueue = async (sessionId, seq, epoch, skip) => {
    phases.mark(sessionId, 'enqueue-start');
    await enqueue(sessionId, seq, epoch, skip);
    phases.mark(sessionId, 'enqueue-end');
  };
  const panel = engine.panels.get(config.DEFAULT_PANEL);
  if (!panel) throw new Error(`no panel ${config.DEFAULT_PANEL}`);
  // Avatars are prepared once per process; do it before anything is timed.
  for (const persona of panel.personas) await identities.identityOf(persona);

  let workerRedis: RedisClient | undefined;
  return {
    config,
    logger,
    redis,
    keys,
    store,
    phases,
    queue,
    machine,
    roundtable,
    model,
    adapter,
    panel,
    startWorker(concurrency) {
      workerRedis = createRedis(target, logger, { name: 'worker' });
      queue.startWorker(machine, { concurrency, connection: workerRedis, lockMs: config.WORKER_LOCK_MS, deadlineMs: config.STEP_DEADLINE_MS }, metrics);
    },
    async startSession(index, overrides = {}) {
      const { sessionId } = await roundtable.start({
        address: { platform: 'terminal', channel: `bench-${options.prefix}`, thread: `t${index}` },
        person: { id: `person-${index}`, displayName: `Person ${index}` },
        topic: '为年轻人设计一盏毛毡灯 — a felt lamp for young buyers',
        ...overrides,
      });
      return sessionId;
    },
    async drained(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      // Polled less and less often: each poll is a script on the queue's connection, which the
      // steps being measured use too (every 20 ms, it was in one turn of five).
      for (let pause = 20; ; pause = Math.min(pause * 2, 250)) {
        const counts = await queue.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
        if (Object.values(counts).every((count) => count === 0)) return;
        if (Date.now() > deadline) throw new Error(`step queue not drained after ${timeoutMs} ms: ${JSON.stringify(counts)}`);
        await sleep(pause);
      }
    },
    async stop() {
      await queue.close(config.SHUTDOWN_GRACE_MS);
      workerRedis?.disconnect();
      await redis.quit().catch(() => redis.disconnect());
      await queueRedis.quit().catch(() => queueRedis.disconnect());
    },
  };
}
