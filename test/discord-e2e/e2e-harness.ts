/**
 * Boots the real app (startApp) with the real Discord adapter against the Discord emulator and
 * the fake OpenAI server, on the shared test Redis with a unique prefix and queue.
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

export async function startE2E(options: { emulator?: EmulatorOptions; config?: Record<string, string | number>; chat?: (request: RecordedRequest, index: number) => ChatReply } = {}): Promise<E2E> {
  const emulator = await DiscordEmulator.start(options.emulator);
  const openai = await startFakeOpenAI({ chat: options.chat ?? e2eChat });
  const prefix = uniqueName('e2e');
  const config = configFrom({
    LOG_LEVEL: 'silent',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'tableround-discord-e2e-')),
    REDIS_URL: testRedisUrl(),
    REDIS_KEY_PREFIX: prefix,
    QUEUE_NAME: uniqueName('q'),
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
    ...options.config,
  });
  const logger = createLogger(process.env.E2E_LOG_LEVEL ?? 'silent');
  const app = await startApp({ config, logger, platformFactories: { discord: createDiscordAdapter }, commands: await loadCommands() });
  const discord = app.platforms.get('discord') as DiscordPlatformAdapter;
  return {
    emulator,
    openai,
    app,
    discord,
    async settled(sessionId, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const status = await app.roundtable.status(sessionId);
        if (status && status.pendingSteps === 0 && status.pendingActions === 0) return;
        if (Date.now() > deadline) throw new Error(`session ${sessionId} did not settle: ${JSON.stringify(status && { stage: status.stage, pendingSteps: status.pendingSteps, pendingActions: status.pendingActions })}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
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
