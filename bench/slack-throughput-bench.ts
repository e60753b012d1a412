/**
 * Slack throughput under Slack's real tiers (real time, nothing scaled): the real app with the
 * Slack adapter against the Slack emulator enforcing Slack's documented rates (≈1 message/s per
 * channel, `chat.update` Tier 3, `chat.startStream` / `chat.stopStream` Tier 2, per workspace).
 * N sessions in N channels of one workspace run on their own (AUTO_ROUNDS) while the model streams
 * each reply over ~2 s. Measures persona turns per minute over a fixed window, 429s, and how long
 * streamed messages stayed half-written. The floor in the same run: the per-channel message
 * ceiling (60 a minute per channel).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFrom } from '../src/config/load-config.ts';
import { createLogger } from '../src/logging/logger.ts';
import { loadCommands } from '../commands/load-commands.ts';
import { freeLoopbackPort } from '../src/store/embedded-redis.ts';
import { envInteger, percentile, round, sleep } from './bench-stats.ts';
import { deleteKeys, uniqueName } from './bench-redis.ts';
import { realisticText } from './realistic-text.ts';

export async function runSlackThroughputBench(redisUrl: string): Promise<Record<string, unknown>> {
  const sessions = envInteger('BENCH_SLACK_SESSIONS', 10);
  const windowMs = envInteger('BENCH_SLACK_WINDOW_MS', 60_000);
  const modules = await loadModules().catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
  if (typeof modules === 'string') return { skipped: `the Slack emulator or adapter could not be loaded: ${modules}` };
  const prefix = uniqueName('bench-slack-');
  const emulator = await modules.emulator.startSlackEmulator({});
  let reply = 0;
  const openai = await modules.openai.startFakeOpenAI({
    chat: (request) => {
      const schema = (request.body as { response_format?: { json_schema?: { name?: string } } } | undefined)?.response_format?.json_schema?.name;
      if (schema === 'keywords') return { kind: 'json', value: { keywords: ['felt', 'oak', 'dimmer'] } };
      if (schema) return { kind: 'json', value: {} };
      // ~300 characters in 25 chunks, 80 ms apart: a reply takes ~2 s to write.
      return { kind: 'text', text: realisticText(reply++, 300), chunkSize: 12, chunkDelayMs: 80 };
    },
  });
  let app: Awaited<ReturnType<typeof modules.app.startApp>> | undefined;
  try {
    const port = await freeLoopbackPort();
    const config = configFrom({
      LOG_LEVEL: 'silent',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'tableround-bench-slack-')),
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: prefix,
      QUEUE_NAME: uniqueName('slack'),
      OPENAI_BASE_URL: openai.url,
      OPENAI_API_KEY: 'sk-fake',
      AUTO_ROUNDS: 10,
      MAX_ROUNDS: 20,
      WORKER_CONCURRENCY: 16,
      SLACK_BOT_TOKEN: emulator.botToken,
      SLACK_SIGNING_SECRET: emulator.signingSecret,
      SLACK_API_URL: emulator.apiUrl,
      SLACK_HOST: '127.0.0.1',
      SLACK_PORT: port,
    });
    app = await modules.app.startApp({ config, logger: createLogger('silent'), platformFactories: { slack: modules.adapter.createSlackAdapter }, commands: await loadCommands() });
    emulator.setBotUrl(`http://127.0.0.1:${port}/slack/events`);
    const started = Date.now();
    await Promise.all(
      Array.from({ length: sessions }, async (_, index) => {
        const channel = emulator.addChannel(`bench-${index}`);
        const person = emulator.addUser(`bench${index}`);
        await emulator.userMentions(person, channel.id, `为年轻人设计一盏毛毡灯 ${index}`);
      }),
    );
    const personaTurn = (call: { method: string; ok: boolean; args: Record<string, unknown> }) =>
      call.ok && typeof call.args.username === 'string' && (call.method === 'chat.postMessage' || call.method === 'chat.startStream');
    // The window opens at the first persona turn (the sessions' openings come first).
    while (!emulator.calls().some(personaTurn) && Date.now() - started < 30_000) await sleep(50);
    const windowStart = Date.now();
    await sleep(windowMs);
    const calls = emulator.calls();
    const inWindow = calls.filter((call) => call.at >= windowStart && call.at < windowStart + windowMs);
    const turns = inWindow.filter(personaTurn).length;
    const starts = calls.filter((call) => call.method === 'chat.startStream' && call.ok && call.ts);
    const open = starts.flatMap((start) => {
      const stop = calls.find((call) => call.method === 'chat.stopStream' && call.args.ts === start.ts);
      return stop ? [stop.at - start.at] : [];
    });
    return {
      description: 'N sessions in N channels of one Slack workspace, running on their own; real app + Slack adapter against the emulator with Slack tiers in real time; model streams each reply over ~2 s',
      setup: { sessions, channels: sessions, windowMs, tiers: 'postMessage 1/s per channel; chat.update Tier 3; startStream/stopStream Tier 2; appendStream Tier 4' },
      personaTurnsPerMinute: round(turns / (windowMs / 60_000), 1),
      perChannelCeilingPerMinute: sessions * 60,
      nativeStreams: starts.length,
      streamsStillOpen: starts.length - open.length,
      streamOpenMs: { p50: round(percentile(open, 0.5), 0), p90: round(percentile(open, 0.9), 0), max: open.length ? Math.max(...open) : 0 },
      emulator429s: emulator.rateLimitHits.length,
      rateLimitedMethods: [...new Set(emulator.rateLimitHits.map((hit) => hit.method))],
    };
  } finally {
    await app?.stop();
    await openai.close();
    await emulator.stop();
    await deleteKeys(redisUrl, prefix);
  }
}

/** Loaded when the bench runs, so that a half-written emulator or adapter skips this bench instead of breaking the run. */
async function loadModules() {
  return {
    emulator: await import('../test/slack-emulator/slack-emulator.ts'),
    adapter: await import('../adapters/slack/index.ts'),
    openai: await import('../test/fake-openai/fake-openai-server.ts'),
    app: await import('../src/app/start-app.ts'),
  };
}
