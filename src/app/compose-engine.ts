/**
 * The engine's parts wired together — store, budgets, panels, presets, templates, model gateway,
 * persona identities, the step queue, the roundtable service, the step machine, the sweeper and
 * the idle closer — in one place, so the
 * app (start-app.ts) and the benchmarks compose exactly the same thing. The benchmarks swap in
 * an instant model and instrumented store/machine through the optional factories.
 */
import { CommunityAdmin } from '../community/community-admin.ts';
import { CommunityPanels } from '../community/community-panels.ts';
import { ChannelSettingsStore } from '../community/channel-settings.ts';
import type { RedisClient } from '../store/redis-connection.ts';
import type { ChatAdapter } from '../adapter/chat-adapter.ts';
import { idleEndHours, type Config } from '../config/config-schema.ts';
import { Roundtable } from '../engine/roundtable.ts';
import { commandRegistry, type CommandDefinition } from '../command-core/command-contract.ts';
import { stepKindRegistry, type RegisteredStepKind } from '../engine/step-kind.ts';
import { builtInSteps } from '../engine/steps/built-in-steps.ts';
import type { EngineDependencies } from '../engine/step-context.ts';
import { StepMachine, type PipelineHooks } from '../pipeline/step-machine.ts';
import { PendingSessions } from '../pipeline/pending-sessions.ts';
import { StepLiveness } from '../pipeline/step-liveness.ts';
import { Sweeper } from '../pipeline/sweeper.ts';
import { IdleCloser, idleCheckIntervalMs } from '../pipeline/idle-closer.ts';
import { TableRoundError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import { ModelGateway } from '../models/model-gateway.ts';
import type { Metrics } from '../observability/metrics.ts';
import { RateBudget } from '../pacing/rate-budget.ts';
import { loadPanels } from '../panels/panel-loader.ts';
import type { Panel } from '../panels/panel-schema.ts';
import { loadPresets, type SessionPreset } from '../panels/presets.ts';
import { Templates } from '../prompts/render-template.ts';
import { StepQueue } from '../pipeline/step-queue.ts';
import { RedisKeys } from '../store/keys.ts';
import { SessionStore } from '../store/session-store.ts';
import { createImageServices } from './image-services.ts';
import { PersonaIdentities } from './persona-identities.ts';

export interface EngineOptions {
  config: Config;
  logger: Logger;
  /** The main (fail-fast) connection: sessions, outboxes, budgets, indexes. */
  redis: RedisClient;
  /**
   * The step queue's connection (fail-fast too). BullMQ defines its Lua scripts on the connection
   * it is given, and every pipeline ioredis makes copies a connection's scripts — with
   * auto-pipelining, every batch — so the store keeps a connection without them. Default: `redis`.
   */
  queueRedis?: RedisClient;
  metrics: Metrics;
  adapterFor(platform: string): ChatAdapter;
  templatesDir?: string;
  /** The command registry (the app loads commands/; tests may add their own). */
  commands: readonly CommandDefinition[];
  /** Step kinds beyond the built-in ones (a new command's step). */
  extraSteps?: readonly RegisteredStepKind[];
  /** Replacements for benchmarks; production uses the defaults. */
  createStore?: (redis: RedisClient, keys: RedisKeys, ttlHours: number) => SessionStore;
  createModels?: (budget: RateBudget) => EngineDependencies['models'];
  createMachine?: (dependencies: EngineDependencies, hooks: PipelineHooks) => StepMachine;
}

export interface Engine {
  keys: RedisKeys;
  store: SessionStore;
  budget: RateBudget;
  panels: Map<string, Panel>;
  /** Session presets by id (PRESETS_DIR), validated at start. */
  presets: Map<string, SessionPreset>;
  identities: PersonaIdentities;
  queue: StepQueue;
  roundtable: Roundtable;
  /** Runs steps; only worker processes start a worker with it. */
  machine: StepMachine;
  pending: PendingSessions;
  liveness: StepLiveness;
  /** Started by worker processes only. */
  sweeper: Sweeper;
  /** Ends sessions idle for IDLE_END_HOURS; started by worker processes only. */
  idleCloser: IdleCloser;
  models: EngineDependencies['models'];
}

export function composeEngine(options: EngineOptions): Engine {
  const { config, logger, redis, metrics, adapterFor } = options;
  const keys = new RedisKeys(config.REDIS_KEY_PREFIX);
  const store = options.createStore?.(redis, keys, config.SESSION_TTL_HOURS) ?? new SessionStore(redis, keys, config.SESSION_TTL_HOURS);
  const budget = new RateBudget(redis, keys);
  const panels = loadPanels(config.PANELS_DIR);
  if (!panels.has(config.DEFAULT_PANEL)) {
    throw new TableRoundError('config_invalid', `DEFAULT_PANEL: no panel "${config.DEFAULT_PANEL}" in ${config.PANELS_DIR} (have: ${[...panels.keys()].join(', ')})`);
  }
  const presets = loadPresets(config.PRESETS_DIR, { maxRounds: config.MAX_ROUNDS });
  if (!presets.has(config.DEFAULT_PRESET)) {
    throw new TableRoundError('config_invalid', `DEFAULT_PRESET: no preset "${config.DEFAULT_PRESET}" in ${config.PRESETS_DIR} (have: ${[...presets.keys()].join(', ')})`);
  }
  const identities = new PersonaIdentities(config, panels, logger);
  const queue = new StepQueue(options.queueRedis ?? redis, config.QUEUE_NAME, keys.queuePrefix(), logger, { backoffMs: config.STEP_RETRY_DELAY_MS });
  const pending = new PendingSessions(redis, keys);
  const liveness = new StepLiveness(store, queue, logger, config.STEP_MAX_REVIVALS, metrics);
  const sweeper = new Sweeper(redis, keys, pending, liveness, { intervalMs: config.SWEEPER_INTERVAL_MS, staleAfterMs: config.WORKER_LOCK_MS }, logger, metrics);
  const idleMs = Math.round(idleEndHours(config) * 3_600_000);
  const idleCloser = new IdleCloser(
    redis,
    keys,
    store,
    // The normal pipeline, as a person's /end: the inbox, the step machine, the closing step.
    (sessionId, person, options, eventId) => roundtable.submit(sessionId, person, { type: 'command', name: 'end', options: { ...options } }, eventId),
    { idleMs, intervalMs: idleCheckIntervalMs(idleMs), ttlMs: store.ttlMs },
    logger,
  );
  const hooks: PipelineHooks = {
    kick: (sessionId, seq, epoch) => liveness.kick(sessionId, seq, epoch),
    // Work added (a start, a message, a command) or left by a step is activity too: the idle closer's index.
    markPending: async (sessionId) => {
      await Promise.all([pending.mark(sessionId), idleCloser.markActive(sessionId)]);
    },
  };
  const commands = commandRegistry(options.commands);
  const models = options.createModels?.(budget) ?? new ModelGateway(config, budget, logger, metrics);
  const roundtable = new Roundtable({
    presets,
    commands,
    config,
    logger,
    store,
    panels,
    kick: hooks.kick,
    ensureLive: (sessionId) => liveness.ensure(sessionId),
    markPending: hooks.markPending,
    queuePosition: (sessionId, seq, epoch) => queue.positionOf(sessionId, seq, epoch),
    adapterFor,
    budget,
    community: new CommunityAdmin({
      config,
      builtIns: panels,
      presets,
      panels: new CommunityPanels(redis, keys, { panels: config.COMMUNITY_PANELS_MAX, personas: config.COMMUNITY_PANEL_PERSONAS_MAX }),
      settings: new ChannelSettingsStore(redis, keys),
      models,
      redis,
      keys,
      chargePerson: (platform, personId, tokens) => store.chargePerson(platform, personId, tokens),
      fetchFile: async (platform, reference, maxBytes) => {
        const fetchFile = adapterFor(platform).fetchFile;
        if (!fetchFile) throw new TableRoundError('bad_command', `no file download on ${platform}`, { publicMessage: 'Files cannot be read here; paste the card’s JSON instead.' });
        return fetchFile.call(adapterFor(platform), reference, maxBytes);
      },
      onSaved: async (panel) => {
        await Promise.all(panel.personas.map((persona) => identities.identityOf(persona)));
      },
    }),
  });
  const dependencies: EngineDependencies = {
    presets,
    config,
    logger,
    store,
    models,
    templates: new Templates(options.templatesDir ?? 'prompts/templates'),
    panels,
    adapterFor,
    identityOf: (persona) => identities.identityOf(persona),
    images: createImageServices(config),
    metrics,
    steps: stepKindRegistry([...builtInSteps, ...(options.extraSteps ?? [])]),
    commands,
    polls: roundtable.polls,
  };
  const machine = options.createMachine?.(dependencies, hooks) ?? new StepMachine(dependencies, hooks);
  return { keys, store, budget, panels, presets, identities, queue, roundtable, machine, pending, liveness, sweeper, idleCloser, models: dependencies.models };
}
