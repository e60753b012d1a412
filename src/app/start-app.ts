/**
 * Composition: builds every part of the bot from the config and starts what this process's ROLE
 * runs — `gateway` ingests platform events and enqueues, `worker` runs step jobs, `all` both.
 * Adapters are passed in as factories (the entry point in adapters/ picks them), so src/ never
 * imports a platform SDK.
 */
import type { Server } from 'node:http';
import type { Redis } from 'ioredis';
import type { ChatAdapter } from '../adapter/chat-adapter.ts';
import type { AdapterDependencies, PlatformAdapter } from '../adapter/platform-adapter.ts';
import type { CommandDefinition } from '../../commands/command.ts';
import { loadCommands } from '../../commands/load-commands.ts';
import { createCommandRunner } from '../commands/run-command.ts';
import type { Config } from '../config/config-schema.ts';
import { Roundtable } from '../engine/roundtable.ts';
import { StepMachine } from '../engine/step-machine.ts';
import { TableRoundError } from '../errors.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { ModelGateway } from '../models/model-gateway.ts';
import { RateBudget } from '../pacing/rate-budget.ts';
import { loadPanels } from '../panels/panel-loader.ts';
import { Templates } from '../prompts/render-template.ts';
import { StepQueue } from '../queue/step-queue.ts';
import type { Platform } from '../session/session-id.ts';
import { findRedisServer, redisInstallHint, startEmbeddedRedis, tryInstallRedisServer, type EmbeddedRedis } from '../store/embedded-redis.ts';
import { RedisKeys } from '../store/keys.ts';
import { createRedis, waitUntilReady } from '../store/redis-connection.ts';
import { SessionStore } from '../store/session-store.ts';
import { join } from 'node:path';
import { startHttpServer } from './http-server.ts';
import { Metrics } from '../observability/metrics.ts';
import { createImageServices } from './image-services.ts';
import { PersonaIdentities } from './persona-identities.ts';

export type PlatformFactory = (dependencies: AdapterDependencies) => PlatformAdapter;

export interface StartAppOptions {
  config: Config;
  logger?: Logger;
  platformFactories?: Partial<Record<Platform, PlatformFactory>>;
  /** Outbound adapters given directly (the terminal adapter; tests). */
  adapters?: ChatAdapter[];
  /** Where prompt templates live (default prompts/templates). */
  templatesDir?: string;
}

export interface RunningApp {
  config: Config;
  logger: Logger;
  redis: Redis;
  redisUrl: string;
  keys: RedisKeys;
  store: SessionStore;
  queue: StepQueue;
  roundtable: Roundtable;
  commands: CommandDefinition[];
  runCommand: AdapterDependencies['runCommand'];
  platforms: Map<Platform, PlatformAdapter>;
  identities: PersonaIdentities;
  httpServer: Server | undefined;
  metrics: Metrics;
  stop(): Promise<void>;
}

async function resolveRedisUrl(config: Config, logger: Logger): Promise<{ url: string; embedded?: EmbeddedRedis }> {
  if (config.REDIS_URL) return { url: config.REDIS_URL };
  if (!findRedisServer() && !tryInstallRedisServer((line) => logger.info(line))) {
    throw new TableRoundError('redis_unavailable', redisInstallHint);
  }
  const embedded = await startEmbeddedRedis({ dataDir: join(config.DATA_DIR, 'redis'), persistent: true });
  logger.info({ url: embedded.url, dataDir: join(config.DATA_DIR, 'redis') }, 'REDIS_URL is unset: started a local redis-server (data kept in the data folder)');
  return { url: embedded.url, embedded };
}

export async function startApp(options: StartAppOptions): Promise<RunningApp> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const { url: redisUrl, embedded } = await resolveRedisUrl(config, logger);
  const redis = createRedis(redisUrl, logger, { name: 'main', failFast: true });
  await waitUntilReady(redis, 15_000);
  const keys = new RedisKeys(config.REDIS_KEY_PREFIX);
  const store = new SessionStore(redis, keys, config.SESSION_TTL_HOURS);
  const budget = new RateBudget(redis, keys);
  const panels = loadPanels(config.PANELS_DIR);
  if (!panels.has(config.DEFAULT_PANEL)) {
    throw new TableRoundError('config_invalid', `DEFAULT_PANEL: no panel "${config.DEFAULT_PANEL}" in ${config.PANELS_DIR} (have: ${[...panels.keys()].join(', ')})`);
  }
  const templates = new Templates(options.templatesDir ?? 'prompts/templates');
  const metrics = new Metrics();
  const models = new ModelGateway(config, budget, logger, metrics);
  const identities = new PersonaIdentities(config, panels, logger);
  const queue = new StepQueue(redis, config.QUEUE_NAME, `${config.REDIS_KEY_PREFIX}:bull`, logger);

  const adapters = new Map<string, ChatAdapter>();
  for (const adapter of options.adapters ?? []) adapters.set(adapter.platform, adapter);
  const adapterFor = (platform: string): ChatAdapter => {
    const adapter = adapters.get(platform);
    if (!adapter) throw new TableRoundError('internal', `no adapter for platform ${platform} in this process`);
    return adapter;
  };

  const roundtable = new Roundtable({
    config,
    logger,
    store,
    panels,
    kick: (sessionId, seq) => queue.enqueue(sessionId, seq),
    queuePosition: (sessionId, seq) => queue.positionOf(sessionId, seq),
    adapterFor,
    budget,
  });
  const commands = await loadCommands();
  const runCommand = createCommandRunner(commands, roundtable, logger);

  const platforms = new Map<Platform, PlatformAdapter>();
  for (const [platform, factory] of Object.entries(options.platformFactories ?? {}) as [Platform, PlatformFactory][]) {
    const platformAdapter = factory({ config, logger: logger.child({ platform }), redis, keys, budget, roundtable, commands, runCommand, metrics });
    platforms.set(platform, platformAdapter);
    adapters.set(platform, platformAdapter.adapter);
  }

  let workerRedis: Redis | undefined;
  let worker: ReturnType<StepQueue['startWorker']> | undefined;
  if (config.ROLE !== 'gateway') {
    const machine = new StepMachine(
      { config, logger, store, models, templates, panels, adapterFor, identityOf: (persona) => identities.identityOf(persona), images: createImageServices(config), metrics },
      (sessionId, seq) => queue.enqueue(sessionId, seq),
    );
    workerRedis = createRedis(redisUrl, logger, { name: 'worker' });
    worker = queue.startWorker(machine, config.WORKER_CONCURRENCY, workerRedis, config.WORKER_LOCK_MS, metrics);
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

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    logger.info('shutting down: no new jobs; finishing or handing back running steps');
    for (const platformAdapter of platforms.values()) await platformAdapter.stop().catch((error: unknown) => logger.warn({ err: error }, 'adapter stop failed'));
    await queue.close(config.SHUTDOWN_GRACE_MS);
    await new Promise<void>((resolve) => (httpServer ? httpServer.close(() => resolve()) : resolve()));
    workerRedis?.disconnect();
    await redis.quit().catch(() => redis.disconnect());
    await embedded?.stop();
  };

  return { config, logger, redis, redisUrl, keys, store, queue, roundtable, commands, runCommand, platforms, identities, httpServer, metrics, stop };
}
