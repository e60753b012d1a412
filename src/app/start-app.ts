/**
 * Composition: builds every part of the bot from the config and starts what this process's ROLE
 * runs — `gateway` ingests platform events and enqueues, `worker` runs step jobs and the two
 * background passes (the sweeper, the idle closer), `all` everything.
 * Adapters are passed in as factories (the entry point in adapters/ picks them), so src/ never
 * imports a platform SDK.
 */
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { RedisClient } from '../store/redis-connection.ts';
import type { ChatAdapter } from '../adapter/chat-adapter.ts';
import type { AdapterDependencies, PlatformAdapter } from '../adapter/platform-adapter.ts';
import type { CommandDefinition } from '../command-core/command-contract.ts';
import type { RegisteredStepKind } from '../engine/step-kind.ts';
import { createCommandRunner } from '../command-core/run-command.ts';
import { failureReason } from '../pipeline/step-liveness.ts';
import type { Config } from '../config/config-schema.ts';
import type { Roundtable } from '../engine/roundtable.ts';
import { TableRoundError } from '../errors.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { Metrics } from '../observability/metrics.ts';
import type { StepQueue } from '../pipeline/step-queue.ts';
import type { Sweeper } from '../pipeline/sweeper.ts';
import type { IdleCloser } from '../pipeline/idle-closer.ts';
import type { StepLiveness } from '../pipeline/step-liveness.ts';
import type { Platform } from '../session/session-id.ts';
import { findRedisServer, redisInstallHint, startEmbeddedRedis, tryInstallRedisServer, type EmbeddedRedis } from '../store/embedded-redis.ts';
import type { RedisKeys } from '../store/keys.ts';
import { createRedis, describeTarget, redisTargetFrom, waitUntilReady, type RedisTarget } from '../store/redis-connection.ts';
import type { SessionStore } from '../store/session-store.ts';
import type { ModelGateway } from '../models/model-gateway.ts';
import { composeEngine, type EngineOptions } from './compose-engine.ts';
import { startHttpServer } from './http-server.ts';
import type { PersonaIdentities } from './persona-identities.ts';

export type PlatformFactory = (dependencies: AdapterDependencies) => PlatformAdapter;

export interface StartAppOptions {
  config: Config;
  logger?: Logger;
  platformFactories?: Partial<Record<Platform, PlatformFactory>>;
  /** Outbound adapters given directly (the terminal adapter; tests). */
  adapters?: ChatAdapter[];
  /** Where prompt templates live (default prompts/templates). */
  templatesDir?: string;
  /** The commands (the app loads commands/: `loadCommands()`); the core never imports them. */
  commands: readonly CommandDefinition[];
  /** Step kinds beyond the built-in ones. */
  extraSteps?: readonly RegisteredStepKind[];
  /** Replaces the step machine (benchmarks and fault-injection tests wrap the real one). */
  createMachine?: EngineOptions['createMachine'];
}

export interface RunningApp {
  config: Config;
  logger: Logger;
  redis: RedisClient;
  /** The step queue's connection (enqueueing). */
  queueRedis: RedisClient;
  /** Where Redis is, for messages: the URL (password hidden), or the cluster's or Sentinel's nodes. */
  redisUrl: string;
  keys: RedisKeys;
  store: SessionStore;
  queue: StepQueue;
  liveness: StepLiveness;
  sweeper: Sweeper;
  /** Ends idle sessions (IDLE_END_HOURS); runs in worker processes. */
  idleCloser: IdleCloser;
  roundtable: Roundtable;
  commands: CommandDefinition[];
  runCommand: AdapterDependencies['runCommand'];
  platforms: Map<Platform, PlatformAdapter>;
  identities: PersonaIdentities;
  httpServer: Server | undefined;
  metrics: Metrics;
  /** The model gateway the engine calls (for `npm run check:model`). */
  models: ModelGateway;
  stop(): Promise<void>;
}

/** The Redis the configuration names, or (none named) a local redis-server started here. */
async function resolveRedis(config: Config, logger: Logger): Promise<{ target: RedisTarget; embedded?: EmbeddedRedis }> {
  if (config.REDIS_CLUSTER_NODES || config.REDIS_SENTINELS || config.REDIS_URL) return { target: redisTargetFrom(config, config.REDIS_URL) };
  if (!findRedisServer() && !tryInstallRedisServer((line) => logger.info(line))) {
    throw new TableRoundError('redis_unavailable', redisInstallHint);
  }
  const embedded = await startEmbeddedRedis({ dataDir: join(config.DATA_DIR, 'redis'), persistent: true });
  logger.info({ url: embedded.url, dataDir: join(config.DATA_DIR, 'redis') }, 'REDIS_URL is unset: started a local redis-server (data kept in the data folder)');
  return { target: { kind: 'single', url: embedded.url }, embedded };
}

export async function startApp(options: StartAppOptions): Promise<RunningApp> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const { target, embedded } = await resolveRedis(config, logger);
  if (target.kind !== 'single') logger.info({ redis: describeTarget(target) }, 'connecting to Redis');
  const redisUrl = describeTarget(target);
  const redis = createRedis(target, logger, { name: 'main', failFast: true, autoPipelining: true });
  // Enqueueing has a connection of its own (see EngineOptions.queueRedis).
  const queueRedis = createRedis(target, logger, { name: 'queue', failFast: true });
  await Promise.all([waitUntilReady(redis, config.REDIS_CONNECT_TIMEOUT_MS), waitUntilReady(queueRedis, config.REDIS_CONNECT_TIMEOUT_MS)]);
  const metrics = new Metrics();
  const adapters = new Map<string, ChatAdapter>();
  for (const adapter of options.adapters ?? []) adapters.set(adapter.platform, adapter);
  const adapterFor = (platform: string): ChatAdapter => {
    const adapter = adapters.get(platform);
    if (!adapter) throw new TableRoundError('internal', `no adapter for platform ${platform} in this process`);
    return adapter;
  };
  const { keys, store, budget, identities, queue, roundtable, machine, liveness, sweeper, idleCloser, models } = composeEngine({
    config,
    logger,
    redis,
    queueRedis,
    metrics,
    adapterFor,
    templatesDir: options.templatesDir,
    commands: options.commands,
    ...(options.extraSteps ? { extraSteps: options.extraSteps } : {}),
    ...(options.createMachine ? { createMachine: options.createMachine } : {}),
  });
  const commands = [...options.commands];
  const runCommand = createCommandRunner(commands, roundtable, logger, adapterFor);

  const platforms = new Map<Platform, PlatformAdapter>();
  for (const [platform, factory] of Object.entries(options.platformFactories ?? {}) as [Platform, PlatformFactory][]) {
    // Each adapter binds `platform` to its own logger (binding it here too printed it twice).
    const platformAdapter = factory({ config, logger, redis, keys, budget, roundtable, commands, runCommand, metrics });
    platforms.set(platform, platformAdapter);
    adapters.set(platform, platformAdapter.adapter);
  }

  let workerRedis: RedisClient | undefined;
  let worker: ReturnType<StepQueue['startWorker']> | undefined;
  if (config.ROLE !== 'gateway') {
    workerRedis = createRedis(target, logger, { name: 'worker' });
    // A job that used up its attempts is revived at once rather than at the next sweep.
    const revive = (data: { sessionId: string }, error: Error) => {
      liveness.ensure(data.sessionId, failureReason(error)).catch((error: unknown) => logger.warn({ err: error, sessionId: data.sessionId }, 'could not revive a failed step; the sweeper will'));
    };
    worker = queue.startWorker(machine, { concurrency: config.WORKER_CONCURRENCY, connection: workerRedis, lockMs: config.WORKER_LOCK_MS, deadlineMs: config.STEP_DEADLINE_MS }, metrics, revive);
    sweeper.start();
    idleCloser.start();
  }
  if (config.ROLE !== 'worker') {
    for (const [platform, platformAdapter] of platforms) {
      await platformAdapter.startInbound();
      logger.info({ platform }, 'platform connected');
    }
  }

  let httpServer: Server | undefined;
  if (config.HTTP_PORT > 0) {
    if (config.PUBLIC_BASE_URL) await identities.warmUp();
    httpServer = await startHttpServer(
      config.HTTP_HOST,
      config.HTTP_PORT,
      {
        health: async () => {
          const redisOk = await redis.ping().then(() => true, () => false);
          const checks: Record<string, boolean> = { redis: redisOk };
          if (worker) checks.queue = worker.isRunning() && !worker.closing;
          // A gateway is healthy only if some worker (any process) is connected to the queue.
          else checks.workers = await queue.queue.getWorkersCount().then((count) => count > 0, () => false);
          for (const [platform, platformAdapter] of platforms) checks[platform] = platformAdapter.isConnected();
          return { ok: Object.values(checks).every(Boolean), checks };
        },
        metrics: async () => {
          const counts = await queue.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
          for (const [state, count] of Object.entries(counts)) metrics.queueDepth.set({ state }, count);
          return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
        },
        avatar: (hash) => identities.avatarsByHash.get(hash),
      },
      logger,
    );
  }

  let stopping: Promise<void> | undefined;
  const quietly = async (what: string, work: () => Promise<unknown>, timeoutMs: number) => {
    try {
      await Promise.race([work(), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    } catch (error) {
      logger.warn({ err: error }, `shutdown: ${what} failed`);
    }
  };
  // Order matters: intake first (no new events) and at the same moment no new jobs, then the
  // running steps finish within the grace period (counted from the stop, still able to post),
  // then the adapters' clients, then Redis.
  const stop = () => {
    stopping ??= (async () => {
      logger.info('shutting down: intake stopped; finishing or handing back running steps');
      await Promise.all([
        ...[...platforms.values()].map((platformAdapter) => quietly('stopping intake', () => platformAdapter.stopIntake(), 5_000)),
        quietly('stopping the worker', () => queue.stopWorker(config.SHUTDOWN_GRACE_MS), config.SHUTDOWN_GRACE_MS + 5_000),
        quietly('stopping the sweeper', () => sweeper.stop(), 2_000),
        // Before the queue closes: a pass in progress may still submit an `end` (Redis is still open).
        quietly('stopping the idle closer', () => idleCloser.stop(), 2_000),
      ]);
      await quietly('closing the queue', () => queue.close(0), 3_000);
      await Promise.all([...platforms.values()].map((platformAdapter) => quietly('disposing an adapter', () => platformAdapter.dispose(), 3_000)));
      await quietly('closing the HTTP server', () => new Promise<void>((resolve) => (httpServer ? httpServer.close(() => resolve()) : resolve())), 2_000);
      workerRedis?.disconnect();
      await quietly('closing Redis', () => Promise.all([redis.quit(), queueRedis.quit()]), 2_000);
      redis.disconnect();
      queueRedis.disconnect();
      await quietly('stopping the embedded Redis', async () => embedded?.stop(), 5_000);
    })();
    return stopping;
  };

  return { config, logger, redis, queueRedis, redisUrl, keys, store, queue, liveness, sweeper, idleCloser, roundtable, commands, runCommand, platforms, identities, httpServer, metrics, models, stop };
}
