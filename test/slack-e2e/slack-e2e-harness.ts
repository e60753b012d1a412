/**
 * The real app (`startApp` with the Slack adapter) against the Slack emulator and the fake OpenAI
 * server, with real Redis and BullMQ. Pacing windows are scaled down identically in the bot's
 * config and the emulator's rate limits, so whole flows run in seconds and any 429 is a bug.
 */
import { draftedPanel } from '../harness/roundtable-model.ts';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { startApp, type RunningApp, type StartAppOptions } from '../../src/app/start-app.ts';
import { configFrom } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { buildSessionId } from '../../src/session/session-id.ts';
import { createSlackAdapter } from '../../adapters/slack/index.ts';
import { startSlackEmulator, type SlackEmulator } from '../slack-emulator/slack-emulator.ts';
import { startFakeOpenAI, type ChatReply, type FakeOpenAI, type RecordedRequest } from '../fake-openai/fake-openai-server.ts';
import { deleteKeys, testRedis, testRedisUrl, uniqueName } from '../harness/redis.ts';
import { freeLoopbackPort } from '../../src/store/embedded-redis.ts';
import type { Config } from '../../src/config/config-schema.ts';
import { loadCommands } from '../../commands/load-commands.ts';

export const panelsDir = fileURLToPath(new URL('./panels', import.meta.url));

/** Scaled pacing: 1 message / 100 ms per channel; 40 (bot) vs 50 (Slack) updates / 6 s per workspace. */
export const scaledPacing = { postWindowMs: 100, updateWindowMs: 6_000, updatesPerWindow: 40 };

/** Polls an async probe until it returns a value (not undefined / false). */
export async function until<T>(probe: () => Promise<T | undefined | false>, message: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}


interface ChatBody {
  response_format?: { type?: string; json_schema?: { name?: string } };
  messages?: { role?: string; content?: unknown }[];
}

function hasImage(body: ChatBody): boolean {
  return (body.messages ?? []).some((message) => Array.isArray(message.content) && message.content.some((part: { type?: string }) => part.type === 'image_url'));
}

/** Answers every kind of request the engine makes; persona speech comes from `speech`. */
export function panelReplies(speech: (request: RecordedRequest, index: number) => string = () => 'A warm, quiet kettle with a soft handle.', chunk: { size: number; delayMs: number } = { size: 12, delayMs: 0 }) {
  let speeches = 0;
  return (request: RecordedRequest): ChatReply => {
    const body = (request.body ?? {}) as ChatBody;
    if (hasImage(body)) return { kind: 'text', text: 'A small test picture: a red field above a blue field.' };
    switch (body.response_format?.json_schema?.name) {
      case 'keywords':
        return { kind: 'json', value: { keywords: ['warm light', 'soft handle', 'quiet boil', 'steady base', 'clear window'] } };
      case 'ballot':
        return { kind: 'json', value: { choices: [1, 2], reason: 'They matter most to my work.' } };
      case 'image_story':
        return { kind: 'json', value: { story: 'The red and blue remind me of enamel kettles.', keywords: ['enamel'] } };
      case 'panel_draft':
        return { kind: 'json', value: draftedPanel('') };
      case 'closing_summary':
        return {
          kind: 'json',
          value: {
            decisions: ['Keep the handle soft'],
            openQuestions: ['Which enamel?'],
            takeaways: [{ name: 'Bayar the Maker', takeaway: 'Materials first.' }],
            designCard: { name: 'Quiet Kettle', form: 'Round', elements: ['enamel'], functions: ['boil quietly'], targetUsers: 'Older people', meaning: 'Care' },
          },
        };
      case undefined:
        return { kind: 'text', text: speech(request, speeches++), chunkSize: chunk.size, ...(chunk.delayMs ? { chunkDelayMs: chunk.delayMs } : {}) };
      default:
        return { kind: 'json', value: {} };
    }
  };
}

export interface E2EHarness {
  emulator: SlackEmulator;
  /** Where the bot's Slack receiver listens (`/slack/events`, and with `oauth` `/slack/install`). */
  botBaseUrl: string;
  /** The key prefix and queue of this harness (worker processes join with the same). */
  prefix: string;
  queueName: string;
  config: Config;
  fake: FakeOpenAI;
  app: RunningApp;
  sessionIdFor(channel: string, threadTs: string): string;
  /** Waits until the session's agenda and inbox are empty and it is in `stage` (any when omitted). */
  settled(sessionId: string, stage?: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface E2EOptions {
  speech?: (request: RecordedRequest, index: number) => string;
  latencyMs?: number;
  env?: Record<string, string | number>;
  /** Streams speech slowly (chunk size, delay per chunk). */
  chunk?: { size: number; delayMs: number };
  createMachine?: StartAppOptions['createMachine'];
  /** The process role (default all). */
  role?: 'all' | 'gateway';
  /**
   * Slack in many workspaces: the emulator installs through OAuth (its Redirect URL is the bot's
   * /slack/oauth_redirect) and the bot runs with SLACK_CLIENT_ID … instead of SLACK_BOT_TOKEN.
   */
  oauth?: boolean;
}

/** The OAuth settings a multi-workspace bot runs with against `emulator`. */
function oauthSettings(emulator: SlackEmulator): Record<string, string> {
  return {
    SLACK_CLIENT_ID: emulator.oauthApp.clientId,
    SLACK_CLIENT_SECRET: emulator.oauthApp.clientSecret,
    SLACK_STATE_SECRET: randomBytes(24).toString('hex'),
    SLACK_INSTALLATION_KEY: randomBytes(32).toString('base64'),
  };
}

export async function startE2E(options: E2EOptions = {}): Promise<E2EHarness> {
  const emulator = await startSlackEmulator({
    rateLimits: {
      postMessagePerChannel: { limit: 1, windowMs: scaledPacing.postWindowMs, burst: 1 },
      postMessagePerWorkspace: { limit: 300, windowMs: scaledPacing.updateWindowMs },
      updatePerWorkspace: { limit: 50, windowMs: scaledPacing.updateWindowMs },
      streamPerWorkspace: { limit: 100, windowMs: scaledPacing.updateWindowMs },
      stopPerWorkspace: { limit: 20, windowMs: scaledPacing.updateWindowMs },
      defaultPerWorkspace: { limit: 1_000, windowMs: scaledPacing.updateWindowMs },
      repliesPerWorkspace: { limit: 50, windowMs: scaledPacing.updateWindowMs },
    },
    retryDelaysMs: [0, 100, 200],
    ...(options.oauth ? { oauth: {} } : {}),
  });
  const fake = await startFakeOpenAI({ chat: panelReplies(options.speech, options.chunk), ...(options.latencyMs ? { latencyMs: options.latencyMs } : {}) });
  const port = await freeLoopbackPort();
  const botBaseUrl = `http://127.0.0.1:${port}`;
  if (options.oauth) emulator.setRedirectUris([`${botBaseUrl}/slack/oauth_redirect`]);
  const prefix = uniqueName('e2eslack');
  const queueName = uniqueName('q');
  const config = configFrom({
    LOG_LEVEL: 'silent',
    REDIS_URL: testRedisUrl(),
    REDIS_KEY_PREFIX: prefix,
    QUEUE_NAME: queueName,
    OPENAI_BASE_URL: fake.url,
    OPENAI_API_KEY: 'sk-test-key-for-the-fake',
    PANELS_DIR: panelsDir,
    DEFAULT_PANEL: 'duo',
    AUTO_ROUNDS: 0,
    MODEL_MAX_RETRIES: 0,
    ...(options.oauth ? oauthSettings(emulator) : { SLACK_BOT_TOKEN: emulator.botToken }),
    SLACK_SIGNING_SECRET: emulator.signingSecret,
    SLACK_API_URL: emulator.apiUrl,
    SLACK_HOST: '127.0.0.1',
    SLACK_PORT: port,
    SLACK_POSTS_PER_WINDOW: 1,
    SLACK_POST_WINDOW_MS: scaledPacing.postWindowMs,
    SLACK_WORKSPACE_POSTS_PER_WINDOW: 280,
    SLACK_WORKSPACE_POST_WINDOW_MS: scaledPacing.updateWindowMs,
    SLACK_UPDATES_PER_WINDOW: scaledPacing.updatesPerWindow,
    SLACK_UPDATE_WINDOW_MS: scaledPacing.updateWindowMs,
    SLACK_STREAMS_PER_WINDOW: 18,
    SLACK_STREAM_WINDOW_MS: scaledPacing.updateWindowMs,
    // Every tier runs ten times faster here, the look-ups' too (the emulator's replies tier likewise).
    SLACK_REPLIES_WINDOW_MS: scaledPacing.updateWindowMs,
    // The stand-ins (emulators, the fake model's image URLs) live on http://127.0.0.1.
    DOWNLOAD_ALLOW_HTTP: true,
    DOWNLOAD_ALLOW_PRIVATE_ADDRESSES: true,
    ...options.env,
  });
  const app = await startApp({ config: { ...config, ROLE: options.role ?? 'all' }, logger: createLogger(process.env.E2E_LOG_LEVEL ?? 'silent'), platformFactories: { slack: createSlackAdapter }, commands: await loadCommands(), ...(options.createMachine ? { createMachine: options.createMachine } : {}) });
  emulator.setBotUrl(`${botBaseUrl}/slack/events`);

  const sessionIdFor = (channel: string, threadTs: string) => buildSessionId({ platform: 'slack', channel, thread: threadTs });
  return {
    emulator,
    botBaseUrl,
    prefix,
    queueName,
    config,
    fake,
    app,
    sessionIdFor,
    settled: async (sessionId, stage, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      for (;;) {
        const status = await app.roundtable.status(sessionId);
        last = JSON.stringify(status && { stage: status.stage, pendingSteps: status.pendingSteps, pendingActions: status.pendingActions });
        if (status && status.pendingSteps === 0 && status.pendingActions === 0 && (!stage || status.stage === stage)) return;
        if (Date.now() > deadline) throw new Error(`session ${sessionId} did not settle${stage ? ` in ${stage}` : ''}: ${last}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    stop: async () => {
      await app.stop();
      await emulator.stop();
      await fake.close();
      const cleanup = testRedis();
      await deleteKeys(cleanup, prefix).catch(() => undefined);
      cleanup.disconnect();
    },
  };
}
