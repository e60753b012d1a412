/**
 * Uploads through the real Web API client against the emulator, paced on real Redis: the three
 * steps (files.getUploadURLExternal → POST bytes → files.completeUploadExternal into the thread).
 * And where the bytes may go: an upload URL on another host, over http, or redirecting elsewhere
 * gets nothing (loopback servers stand in for the hostile hosts).
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import { startSlackEmulator, type SlackEmulator } from '../../test/slack-emulator/slack-emulator.ts';
import { deleteKeys, testRedis, uniqueName } from '../../test/harness/redis.ts';
import { configFrom } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { RedisKeys } from '../../src/store/keys.ts';
import { RateBudget } from '../../src/pacing/rate-budget.ts';
import { checkedUploadUrl, MessagePoster } from './message-poster.ts';
import { SlackPacing } from './slack-pacing.ts';
import { botIdentityLoader, webClientOptions } from './web-client.ts';
import { SingleWorkspace } from './slack-workspaces.ts';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(postWindowMs = 100) {
  const emulator: SlackEmulator = await startSlackEmulator({ echoBotMessages: false });
  const redis = testRedis();
  const prefix = uniqueName('slkpost');
  cleanups.push(async () => {
    await emulator.stop();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });
  const config = configFrom({ SLACK_BOT_TOKEN: emulator.botToken, SLACK_API_URL: emulator.apiUrl, SLACK_POST_WINDOW_MS: postWindowMs, REDIS_KEY_PREFIX: prefix });
  const client = new WebClient(emulator.botToken, webClientOptions(config, createLogger('silent')));
  const bot = botIdentityLoader(client);
  const poster = new MessagePoster(new SingleWorkspace(client, bot, emulator.botToken), new SlackPacing(new RateBudget(redis, new RedisKeys(prefix)), config, async () => (await bot()).teamId));
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

describe('MessagePoster.postPart', () => {
  it('a sender cut off while it waits for the channel budget gives up and posts nothing', async () => {
    const { emulator, poster, thread } = await setUp(1_500);
    const speaker = { kind: 'moderator' as const };
    await poster.postPart(thread, speaker, 'first');
    const before = emulator.thread(thread.channel, thread.threadTs).length;
    // The channel's budget (one post per 1.5 s) is spent: the next post waits for it.
    const cut = new AbortController();
    let settled = false;
    const waiting = poster.postPart(thread, speaker, 'second, from a runner that lost its step', undefined, cut.signal).finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(settled).toBe(false);
    cut.abort(new Error('superseded'));
    await expect(waiting).rejects.toThrow('superseded');
    // Past the window the slot would have been free: nothing was posted, and nothing will be.
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    expect(emulator.thread(thread.channel, thread.threadTs)).toHaveLength(before);
  });
});

/** A loopback server counting the requests (and bytes) it got; `answer` writes each response. */
async function loopbackServer(answer: (path: string, response: ServerResponse) => void = (_path, response) => void response.end('ok')) {
  const received: { path: string; bytes: number }[] = [];
  const server = createServer((request, response) => {
    let bytes = 0;
    request.on('data', (chunk: Buffer) => (bytes += chunk.length));
    request.on('end', () => {
      received.push({ path: request.url ?? '', bytes });
      answer(request.url ?? '', response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

/**
 * A poster whose Web API client answers files.getUploadURLExternal with `uploadUrl` (what a
 * hostile or broken API answer could say); everything else is real, pacing on real Redis.
 */
function posterHandedOut(uploadUrl: string, slackApiUrl: string) {
  const redis = testRedis();
  const prefix = uniqueName('slkupl');
  cleanups.push(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });
  const completed: unknown[] = [];
  const client = {
    slackApiUrl,
    files: {
      getUploadURLExternal: async () => ({ ok: true, upload_url: uploadUrl, file_id: 'F1' }),
      completeUploadExternal: async (args: unknown) => void completed.push(args),
    },
  } as unknown as WebClient;
  const config = configFrom({ SLACK_API_URL: slackApiUrl, SLACK_POST_WINDOW_MS: 100, REDIS_KEY_PREFIX: prefix });
  const identity = async () => ({ teamId: 'T1', userId: 'U1', botId: 'B1' });
  const poster = new MessagePoster(new SingleWorkspace(client, identity, 'xoxb-test'), new SlackPacing(new RateBudget(redis, new RedisKeys(prefix)), config, async () => 'T1'));
  return { poster, completed };
}

const transcript = [{ filename: 'transcript.md', contentType: 'text/markdown', bytes: Buffer.from('# What the panel said') }];
const thread = { channel: 'C1', threadTs: '1.000' };

describe('where MessagePoster sends a file', () => {
  it('only to files.slack.com or the configured API host, over https unless the API itself is http', () => {
    expect(checkedUploadUrl('https://files.slack.com/upload/v1/abc', 'https://slack.com/api/').host).toBe('files.slack.com');
    expect(checkedUploadUrl('http://127.0.0.1:4000/upload/v1/abc', 'http://127.0.0.1:4000/api/').host).toBe('127.0.0.1:4000');
    expect(checkedUploadUrl('https://slack.example.com/upload', 'https://slack.example.com/api/').host).toBe('slack.example.com');
    for (const [url, api] of [
      ['http://files.slack.com/upload/v1/abc', 'https://slack.com/api/'],
      ['https://169.254.169.254/latest/meta-data/', 'https://slack.com/api/'],
      ['https://files.slack.com.evil.example/upload', 'https://slack.com/api/'],
      ['https://files.slack.com:8443/upload', 'https://slack.com/api/'],
      ['https://user:pw@files.slack.com/upload', 'https://slack.com/api/'],
      ['http://127.0.0.1:4001/upload', 'http://127.0.0.1:4000/api/'],
      ['file:///etc/passwd', 'http://127.0.0.1:4000/api/'],
      ['not a url', 'https://slack.com/api/'],
    ] as const) {
      expect(() => checkedUploadUrl(url, api), url).toThrow();
    }
  });

  it('an upload URL on another host gets no request, and the upload fails with a short public line', async () => {
    const elsewhere = await loopbackServer();
    const api = await loopbackServer();
    const { poster, completed } = posterHandedOut(`${elsewhere.origin}/latest/meta-data/`, `${api.origin}/api/`);
    await expect(poster.uploadFiles(thread, transcript)).rejects.toMatchObject({ code: 'platform_failed', publicMessage: 'Slack refused a message; please try again.' });
    expect(elsewhere.received).toEqual([]);
    expect(completed).toEqual([]);
  });

  it('an upload URL that redirects is not followed: nothing reaches the redirect target', async () => {
    const elsewhere = await loopbackServer();
    // 303: fetch would follow it (as a GET). A 307 that keeps the POST fails in Node 20's undici
    // by accident (a Buffer body cannot be re-sent): not a protection to rely on.
    const api = await loopbackServer((_path, response) => void response.writeHead(303, { location: `${elsewhere.origin}/collect` }).end());
    const { poster, completed } = posterHandedOut(`${api.origin}/upload/v1/F1`, `${api.origin}/api/`);
    await expect(poster.uploadFiles(thread, transcript)).rejects.toMatchObject({ code: 'platform_failed' });
    expect(api.received.map((request) => request.path)).toEqual(['/upload/v1/F1']);
    expect(elsewhere.received).toEqual([]);
    expect(completed).toEqual([]);
  });
});
