/**
 * Boots the real app (startApp) with the real Discord adapter against the Discord emulator and
 * the fake OpenAI server, on the shared test Redis with a unique prefix and queue — one app
 * (`startE2E`), or several app processes sharing them, such as gateways per shard and a worker
 * (`startE2EProcesses`).
 */
import { draftedPanel } from '../harness/roundtable-model.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { configFrom } from '../../src/config/load-config.ts';
import { startApp, type RunningApp } from '../../src/app/start-app.ts';
import { createDiscordAdapter, type DiscordPlatformAdapter } from '../../adapters/discord/index.ts';
import { DiscordEmulator, type EmulatorOptions, type MessageRecord } from '../discord-emulator/discord-emulator.ts';
import { customIdsOf } from '../discord-emulator/components.ts';
import { startFakeOpenAI, defaultChatReply, type FakeOpenAI, type RecordedRequest, type ChatReply } from '../fake-openai/fake-openai-server.ts';
import { testRedisUrl, uniqueName, testRedis, deleteKeys } from '../harness/redis.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { loadCommands } from '../../commands/load-commands.ts';

const panelsDir = join(dirname(fileURLToPath(import.meta.url)), 'panels');

export function schemaName(request: RecordedRequest): string | undefined {
  const body = request.body as { response_format?: { type?: string; json_schema?: { name?: string } } } | undefined;
  return body?.response_format?.json_schema?.name;
}

/** Structured outputs the engine asks for, answered validly; everything else echoes. */
export function e2eChat(request: RecordedRequest): ChatReply {
  switch (schemaName(request)) {
    case 'keywords':
      return { kind: 'json', value: { keywords: ['warm light', 'oak', 'dimmer'] } };
    case 'ballot':
      return { kind: 'json', value: { choices: [1, 2] } };
    case 'panel_draft':
      return { kind: 'json', value: draftedPanel('') };
    case 'image_story':
      return { kind: 'json', value: { story: 'This picture reminds me of a workshop.', keywords: ['red', 'blue'] } };
    case 'closing_summary':
      return {
        kind: 'json',
        value: {
          decisions: ['Use oak'],
          openQuestions: ['Battery?'],
          takeaways: [{ name: 'Ada', takeaway: 'Keep it simple' }],
          designCard: { name: 'Lamp', form: 'Arc', elements: ['oak'], functions: ['light'], targetUsers: 'readers', meaning: 'calm' },
        },
      };
    default: {
      // A persona answering a person quotes the person's latest line (the whole prompt no longer fits a post).
      const asked = lastPersonLine(request);
      return asked ? { kind: 'text', text: `About “${asked}”: a fair question; here is my view.` } : defaultChatReply(request);
    }
  }
}

/** The latest "[name (a person in the thread)] text" line of a chat prompt, if any. */
function lastPersonLine(request: RecordedRequest): string | undefined {
  const body = request.body as { messages?: { content?: unknown }[] } | undefined;
  const prompt = (body?.messages ?? []).map((message) => (typeof message.content === 'string' ? message.content : '')).join('\n');
  const lines = [...prompt.matchAll(/^\[[^\]]*\(a person in the thread\)\] (.+)$/gm)];
  return lines.at(-1)?.[1]?.slice(0, 200);
}

/** The thread's poll message: the one with vote buttons (every persona post carries an Ask button too). */
export function pollMessageIn(emulator: DiscordEmulator, threadId: string): MessageRecord | undefined {
  return emulator.messagesIn(threadId).find((message) => customIdsOf(message.json.components).some((customId) => customId.startsWith('tr:v:')));
}

export interface E2E {
  emulator: DiscordEmulator;
  openai: FakeOpenAI;
  app: RunningApp;
  discord: DiscordPlatformAdapter;
  /** Waits until the session has no steps planned and no actions waiting. */
  settled(sessionId: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

type Settings = Record<string, string | number | boolean>;

/** The settings every e2e app gets: the emulator, the fake model, the test Redis under `shared.prefix` and `shared.queue`. */
function e2eSettings(emulator: DiscordEmulator, openai: FakeOpenAI, shared: { prefix: string; queue: string }, overrides: Settings = {}): Settings {
  return {
    LOG_LEVEL: 'silent',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'tableround-discord-e2e-')),
    REDIS_URL: testRedisUrl(),
    REDIS_KEY_PREFIX: shared.prefix,
    QUEUE_NAME: shared.queue,
    OPENAI_BASE_URL: openai.url,
    OPENAI_API_KEY: 'sk-fake',
    VISION_MODEL: 'gpt-4o-mini',
    PANELS_DIR: panelsDir,
    DEFAULT_PANEL: 'mini',
    AUTO_ROUNDS: 0,
    DISCORD_TOKEN: emulator.token,
    DISCORD_APPLICATION_ID: emulator.applicationId,
    DISCORD_API_URL: emulator.apiUrl,
    DISCORD_CDN_URL: emulator.cdnUrl,
    DISCORD_EDIT_INTERVAL_MS: 200,
    // The stand-ins (emulators, the fake model's image URLs) live on http://127.0.0.1.
    DOWNLOAD_ALLOW_HTTP: true,
    DOWNLOAD_ALLOW_PRIVATE_ADDRESSES: true,
    ...overrides,
  };
}

async function startE2EApp(settings: Settings): Promise<RunningApp> {
  const logger = createLogger(process.env.E2E_LOG_LEVEL ?? 'silent');
  return startApp({ config: configFrom(settings), logger, platformFactories: { discord: createDiscordAdapter }, commands: await loadCommands() });
}

/** Waits until the session has no steps planned and no actions waiting (any app of the shared Redis can tell). */
async function settledIn(app: RunningApp, sessionId: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await app.roundtable.status(sessionId);
    if (status && status.pendingSteps === 0 && status.pendingActions === 0) return;
    if (Date.now() > deadline) throw new Error(`session ${sessionId} did not settle: ${JSON.stringify(status && { stage: status.stage, pendingSteps: status.pendingSteps, pendingActions: status.pendingActions })}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startE2E(options: { emulator?: EmulatorOptions; config?: Settings; chat?: (request: RecordedRequest, index: number) => ChatReply } = {}): Promise<E2E> {
  const emulator = await DiscordEmulator.start(options.emulator);
  const openai = await startFakeOpenAI({ chat: options.chat ?? e2eChat });
  const prefix = uniqueName('e2e');
  const app = await startE2EApp(e2eSettings(emulator, openai, { prefix, queue: uniqueName('q') }, options.config));
  const discord = app.platforms.get('discord') as DiscordPlatformAdapter;
  return {
    emulator,
    openai,
    app,
    discord,
    settled: (sessionId, timeoutMs = 30_000) => settledIn(app, sessionId, timeoutMs),
    async stop() {
      await app.stop();
      await openai.close();
      await emulator.close();
      const redis = testRedis();
      await deleteKeys(redis, prefix);
      await redis.quit();
    },
  };
}

export async function tinyPng(): Promise<Buffer> {
  return sharp({ create: { width: 48, height: 32, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toBuffer();
}

/** One app process of `startE2EProcesses`: its app and its Discord adapter. */
export interface E2EProcess {
  app: RunningApp;
  discord: DiscordPlatformAdapter;
}

export interface E2EProcesses {
  emulator: DiscordEmulator;
  openai: FakeOpenAI;
  /** In the order their settings were given. */
  processes: E2EProcess[];
  /** The environment of one more process on the same emulator, model, Redis prefix and queue (e.g. a child running `adapters/main.ts`). */
  environmentFor(overrides: Settings): Record<string, string>;
  /** Waits until the session has no steps planned and no actions waiting. */
  settled(sessionId: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Several app processes — e.g. a gateway per shard (`ROLE: 'gateway'`, `DISCORD_SHARD_IDS`) and a
 * worker — on one emulator and one fake model, sharing one Redis prefix and one queue, as
 * processes on several machines would. `beforeStart` shapes the emulator's world before any
 * process connects (guilds listed in READY). Each entry of `processes` adds to the shared settings;
 * the processes start in that order and stop in reverse.
 */
export async function startE2EProcesses(
  processes: Settings[],
  options: { emulator?: EmulatorOptions; config?: Settings; chat?: (request: RecordedRequest, index: number) => ChatReply; beforeStart?: (emulator: DiscordEmulator) => void } = {},
): Promise<E2EProcesses> {
  const emulator = await DiscordEmulator.start(options.emulator);
  const openai = await startFakeOpenAI({ chat: options.chat ?? e2eChat });
  const shared = { prefix: uniqueName('e2e'), queue: uniqueName('q') };
  options.beforeStart?.(emulator);
  const started: E2EProcess[] = [];
  const stop = async () => {
    for (const { app } of [...started].reverse()) await app.stop();
    await openai.close();
    await emulator.close();
    const redis = testRedis();
    await deleteKeys(redis, shared.prefix);
    await redis.quit();
  };
  try {
    for (const settings of processes) {
      const app = await startE2EApp(e2eSettings(emulator, openai, shared, { ...options.config, ...settings }));
      started.push({ app, discord: app.platforms.get('discord') as DiscordPlatformAdapter });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const first = started[0];
  if (!first) throw new Error('startE2EProcesses needs at least one process');
  const environmentFor = (overrides: Settings) => Object.fromEntries(Object.entries(e2eSettings(emulator, openai, shared, { ...options.config, ...overrides })).map(([name, value]) => [name, String(value)]));
  return { emulator, openai, processes: started, environmentFor, settled: (sessionId, timeoutMs = 30_000) => settledIn(first.app, sessionId, timeoutMs), stop };
}
