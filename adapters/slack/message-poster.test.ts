/**
 * Uploads through the real Web API client against the emulator, paced on real Redis: the three
 * steps (files.getUploadURLExternal → POST bytes → files.completeUploadExternal into the thread).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import { startSlackEmulator, type SlackEmulator } from '../../test/slack-emulator/slack-emulator.ts';
import { deleteKeys, testRedis, uniqueName } from '../../test/harness/redis.ts';
import { configFrom } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { RedisKeys } from '../../src/store/keys.ts';
import { RateBudget } from '../../src/pacing/rate-budget.ts';
import { MessagePoster } from './message-poster.ts';
import { SlackPacing } from './slack-pacing.ts';
import { botIdentityLoader, webClientOptions } from './web-client.ts';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp() {
  const emulator: SlackEmulator = await startSlackEmulator({ echoBotMessages: false });
  const redis = testRedis();
  const prefix = uniqueName('slkpost');
  cleanups.push(async () => {
    await emulator.stop();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });
  const config = configFrom({ SLACK_BOT_TOKEN: emulator.botToken, SLACK_API_URL: emulator.apiUrl, SLACK_POST_WINDOW_MS: 100, REDIS_KEY_PREFIX: prefix });
  const client = new WebClient(emulator.botToken, webClientOptions(config, createLogger('silent')));
  const bot = botIdentityLoader(client);
  const poster = new MessagePoster(client, new SlackPacing(new RateBudget(redis, new RedisKeys(prefix)), config, async () => (await bot()).teamId));
  const channel = emulator.addChannel('design');
  const parent = await client.chat.postMessage({ channel: channel.id, text: 'a quiet kettle' });
  return { emulator, poster, thread: { channel: channel.id, threadTs: parent.ts ?? '' } };
}

describe('MessagePoster.uploadFiles', () => {
  it('gives Slack the file description as its alt text (alt_txt) and shares the files in the thread', async () => {
    const { emulator, poster, thread } = await setUp();
    const ids = await poster.uploadFiles(thread, [
      { filename: 'votes.png', contentType: 'image/png', bytes: Buffer.from('png'), description: 'Votes per keyword: quiet 4, warm 2' },
      { filename: 'transcript.md', contentType: 'text/markdown', bytes: Buffer.from('# Transcript') },
    ]);
    const [chart, transcript] = ids.map((id) => emulator.workspace.files.get(id));
    expect(chart).toMatchObject({ name: 'votes.png', altText: 'Votes per keyword: quiet 4, warm 2', channel: thread.channel, threadTs: thread.threadTs });
    expect(chart?.bytes.toString()).toBe('png');
    expect(transcript?.altText).toBeUndefined();
    expect(emulator.thread(thread.channel, thread.threadTs).at(-1)?.files?.map((file) => file.name)).toEqual(['votes.png', 'transcript.md']);
  });
});
