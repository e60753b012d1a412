/**
 * A platform burst through the real Discord adapter's pacing: the real app (startApp with the
 * Discord adapter) against the Discord emulator and the fake OpenAI server; N people each start
 * a roundtable in the same channel at once, and every thread gets its opening and all persona
 * introductions (webhook posts sharing the channel's hidden webhook budget). Counts the 429s the
 * emulator answered and the adapter saw. Discord's windows (2 s per webhook, 60 s per channel) are
 * divided by one factor (BENCH_BURST_TIME_SCALE, default 10) in both the emulator and the bot's
 * config, keeping Discord's limits (5 per webhook window, 30 per channel window; we pace at 4 and
 * 25). Not 20: a webhook window of 100 ms is a few event-loop stalls wide, and one run in five
 * then saw one webhook 429 (before and after the same code change); at 200 ms, none in five.
 * Skips with a reason when the emulator or adapter cannot start.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFrom } from '../src/config/load-config.ts';
import { createLogger } from '../src/logging/logger.ts';
import { loadPanels } from '../src/panels/panel-loader.ts';
import { loadCommands } from '../commands/load-commands.ts';
import { envInteger, round, sleep } from './bench-stats.ts';
import { deleteKeys, uniqueName } from './bench-redis.ts';
import { realisticText } from './realistic-text.ts';

export async function runPlatformBurstBench(redisUrl: string): Promise<Record<string, unknown>> {
  const sessions = envInteger('BENCH_BURST_SESSIONS', 20);
  // Discord's windows (webhook 2 s, channel 60 s) divided by one factor, so the two limits keep their real relation.
  const timeScale = envInteger('BENCH_BURST_TIME_SCALE', 10);
  const webhookWindowMs = Math.max(100, Math.round(2_000 / Math.max(1, timeScale)));
  const channelWindowMs = Math.round(60_000 / Math.max(1, timeScale));
  const modules = await loadModules().catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
  if (typeof modules === 'string') return { skipped: `the Discord emulator or adapter could not be loaded: ${modules}` };
  const prefix = uniqueName('bench-burst-');
  let reply = 0;
  const emulator = await modules.emulator.DiscordEmulator.start({
    limits: { webhook: { limit: 5, windowMs: webhookWindowMs }, channelWebhooks: { limit: 30, windowMs: channelWindowMs } },
  });
  const openai = await modules.openai.startFakeOpenAI({ chat: () => ({ kind: 'text', text: realisticText(reply++, 300) }) });
  let app: Awaited<ReturnType<typeof modules.app.startApp>> | undefined;
  try {
    const config = configFrom({
      LOG_LEVEL: 'silent',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'tableround-bench-burst-')),
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: prefix,
      QUEUE_NAME: uniqueName('burst'),
      OPENAI_BASE_URL: openai.url,
      OPENAI_API_KEY: 'sk-fake',
      AUTO_ROUNDS: 0,
      WORKER_CONCURRENCY: 16,
      DISCORD_TOKEN: emulator.token,
      DISCORD_APPLICATION_ID: emulator.applicationId,
      DISCORD_API_URL: emulator.apiUrl,
      DISCORD_CDN_URL: emulator.cdnUrl,
      DISCORD_WEBHOOK_WRITES: 4,
      DISCORD_WEBHOOK_WINDOW_MS: webhookWindowMs,
      DISCORD_CHANNEL_WRITES: 25,
      DISCORD_CHANNEL_WINDOW_MS: channelWindowMs,
      DISCORD_EDIT_INTERVAL_MS: 100,
    });
    try {
      app = await modules.app.startApp({ config, logger: createLogger('silent'), platformFactories: { discord: modules.adapter.createDiscordAdapter }, commands: await loadCommands() });
    } catch (error) {
      return { skipped: `the app with the Discord adapter did not start against the emulator: ${error instanceof Error ? error.message : String(error)}` };
    }
    const discord = app.platforms.get('discord') as ReturnType<typeof modules.adapter.createDiscordAdapter>;
    const personas = loadPanels(config.PANELS_DIR).get(config.DEFAULT_PANEL)?.personas.length ?? 0;
    const channel = emulator.addTextChannel('burst');
    const people = Array.from({ length: sessions }, (_, index) => emulator.addMember(`burst-${index}`));
    const started = performance.now();
    for (const [index, person] of people.entries()) emulator.userSendsMessage(channel.id, person, `<@${emulator.botUser.id}> 为年轻人设计一盏毛毡灯 ${index}`);
    const personaPosts = () => emulator.threadsOf(channel.id).map((thread) => emulator.messagesIn(thread.id).filter((message) => message.webhookUsername !== undefined).length);
    const deadline = Date.now() + envInteger('BENCH_BURST_TIMEOUT_MS', 120_000);
    while (!(personaPosts().length === sessions && personaPosts().every((count) => count >= personas))) {
      if (Date.now() > deadline) break;
      await sleep(50);
    }
    const elapsedSeconds = (performance.now() - started) / 1000;
    const posts = personaPosts();
    const complete = posts.length === sessions && posts.every((count) => count >= personas);
    const webhookPosts = posts.reduce((sum, count) => sum + count, 0);
    return {
      description: 'N people start a roundtable in one Discord channel at once; real app + Discord adapter against the emulator; openings and all introductions',
      setup: { sessions, personasPerSession: personas, timeScale, channelWindowMs, webhookWindowMs, emulatorLimits: { perWebhook: 5, perChannelWebhooks: 30 }, botPacing: { perWebhook: 4, perChannel: 25 } },
      complete,
      threads: posts.length,
      personaWebhookPosts: webhookPosts,
      elapsedSeconds: round(elapsedSeconds, 2),
      webhookPostsPerChannelWindow: round(webhookPosts / (elapsedSeconds / (channelWindowMs / 1000)), 1),
      emulator429s: emulator.rateLimitHits,
      rateLimitedPaths: emulator.stats.rateLimitedPaths.slice(0, 10),
      adapter429s: discord.rateLimitHits(),
      requestsToEmulator: emulator.stats.requests.length,
    };
  } finally {
    await app?.stop();
    await openai.close();
    await emulator.close();
    await deleteKeys(redisUrl, prefix);
  }
}

/** Loaded when the bench runs, so that a half-written emulator or adapter skips this bench instead of breaking the run. */
async function loadModules() {
  return {
    emulator: await import('../test/discord-emulator/discord-emulator.ts'),
    adapter: await import('../adapters/discord/index.ts'),
    openai: await import('../test/fake-openai/fake-openai-server.ts'),
    app: await import('../src/app/start-app.ts'),
  };
}
