import { afterEach, describe, expect, it } from 'vitest';
import { WebClient, ErrorCode, type WebAPIPlatformError } from '@slack/web-api';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { startSlackEmulator, type SlackEmulator } from './slack-emulator.ts';
import { loginPageHtml } from './web-api-server.ts';
import { freeLoopbackPort } from '../../src/store/embedded-redis.ts';

const relaxed = { rateLimits: { postMessagePerChannel: { limit: 100, windowMs: 1_000 } } };


let emulator: SlackEmulator | undefined;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await emulator?.stop();
  emulator = undefined;
});

describe('Slack emulator Web API (through @slack/web-api)', () => {
  it('answers auth.test and posts, updates and threads messages with persona identity', async () => {
    emulator = await startSlackEmulator(relaxed);
    const channel = emulator.addChannel('general');
    const client = new WebClient(emulator.botToken, { slackApiUrl: emulator.apiUrl, retryConfig: { retries: 0 } });
    const auth = await client.auth.test();
    expect(auth.user_id).toBe(emulator.workspace.botUserId);
    const parent = await client.chat.postMessage({ channel: channel.id, text: 'topic' });
    const reply = await client.chat.postMessage({ channel: channel.id, thread_ts: parent.ts ?? '', text: 'hi', username: 'Craftsman', icon_emoji: ':hammer:' });
    await client.chat.update({ channel: channel.id, ts: reply.ts ?? '', text: 'hi there' });
    const thread = emulator.thread(channel.id, parent.ts ?? '');
    expect(thread.map((message) => message.text)).toEqual(['topic', 'hi there']);
    expect(thread[1]).toMatchObject({ username: 'Craftsman', iconEmoji: ':hammer:', subtype: 'bot_message', edits: 1 });
  });

  it('refuses a wrong token and unknown channels with Slack error shapes', async () => {
    emulator = await startSlackEmulator();
    const client = new WebClient('xoxb-wrong', { slackApiUrl: emulator.apiUrl, retryConfig: { retries: 0 } });
    await expect(client.auth.test()).rejects.toMatchObject({ code: ErrorCode.PlatformError, data: { ok: false, error: 'invalid_auth' } });
    const good = new WebClient(emulator.botToken, { slackApiUrl: emulator.apiUrl, retryConfig: { retries: 0 } });
    const failure = (await good.chat.postMessage({ channel: 'CNOPE', text: 'x' }).catch((error: unknown) => error)) as WebAPIPlatformError;
    expect(failure.data.error).toBe('channel_not_found');
  });

  it('rate-limits chat.postMessage per channel with 429 + Retry-After and counts it', async () => {
    emulator = await startSlackEmulator({ rateLimits: { postMessagePerChannel: { limit: 1, windowMs: 1_000 } } });
    const channel = emulator.addChannel('general');
    const client = new WebClient(emulator.botToken, { slackApiUrl: emulator.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    await client.chat.postMessage({ channel: channel.id, text: 'one' });
    await expect(client.chat.postMessage({ channel: channel.id, text: 'two' })).rejects.toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 1 });
    expect(emulator.rateLimitHits).toHaveLength(1);
  });

  it('limits chat.startStream to Tier 2 per workspace (~20 a minute), across channels', async () => {
    emulator = await startSlackEmulator(relaxed);
    const live = emulator;
    const client = new WebClient(live.botToken, { slackApiUrl: live.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    const start = async () => {
      const channel = live.addChannel(`c${live.workspace.channels.size}`);
      const parent = await client.chat.postMessage({ channel: channel.id, text: 'topic' });
      return client.chat.startStream({ channel: channel.id, thread_ts: parent.ts ?? '', markdown_text: 'Hi', recipient_user_id: 'U1', recipient_team_id: live.workspace.teamId });
    };
    for (let index = 0; index < 20; index += 1) await start();
    await expect(start()).rejects.toMatchObject({ code: ErrorCode.RateLimitedError });
    expect(live.rateLimitHits.map((hit) => hit.key)).toEqual(['start']);
  });

  it('streams natively and uploads files into a thread', async () => {
    emulator = await startSlackEmulator(relaxed);
    const channel = emulator.addChannel('general');
    const client = new WebClient(emulator.botToken, { slackApiUrl: emulator.apiUrl, retryConfig: { retries: 0 } });
    const parent = await client.chat.postMessage({ channel: channel.id, text: 'topic' });
    const threadTs = parent.ts ?? '';
    const stream = await client.chat.startStream({ channel: channel.id, thread_ts: threadTs, markdown_text: 'Hel', recipient_user_id: 'U1', recipient_team_id: emulator.workspace.teamId, username: 'Designer' });
    await client.chat.appendStream({ channel: channel.id, ts: stream.ts ?? '', markdown_text: 'lo' });
    await client.chat.stopStream({ channel: channel.id, ts: stream.ts ?? '' });
    const upload = await client.files.getUploadURLExternal({ filename: 'transcript.md', length: 5 });
    const posted = await fetch(upload.upload_url ?? '', { method: 'POST', body: 'hello' });
    expect(posted.status).toBe(200);
    await client.files.completeUploadExternal({ files: [{ id: upload.file_id ?? '', title: 'Transcript' }], channel_id: channel.id, thread_ts: threadTs });
    const thread = emulator.thread(channel.id, threadTs);
    expect(thread[1]).toMatchObject({ text: 'Hello', streaming: 'stopped', username: 'Designer' });
    expect(thread[2]?.files?.[0]?.bytes.toString()).toBe('hello');
  });

  it('keeps a file\'s alt text from alt_txt (the documented name) and ignores alt_text, as Slack does', async () => {
    emulator = await startSlackEmulator(relaxed);
    const client = new WebClient(emulator.botToken, { slackApiUrl: emulator.apiUrl, retryConfig: { retries: 0 } });
    const upload = (args: Record<string, unknown>) => client.apiCall('files.getUploadURLExternal', args) as Promise<{ ok?: boolean; file_id?: string }>;
    const documented = await upload({ filename: 'chart.png', length: 4, alt_txt: 'Votes per keyword' });
    const misspelt = await upload({ filename: 'image.png', length: 4, alt_text: 'A kettle' });
    expect(misspelt.ok).toBe(true); // an argument Slack does not know is no error…
    expect(emulator.workspace.files.get(String(documented.file_id))?.altText).toBe('Votes per keyword');
    expect(emulator.workspace.files.get(String(misspelt.file_id))?.altText).toBeUndefined(); // …and no alt text
  });

  it('sets a thread status with assistant.threads.setStatus: required arguments, identity, cleared by a post, ~1/s per channel', async () => {
    emulator = await startSlackEmulator(relaxed);
    const channel = emulator.addChannel('general');
    const client = new WebClient(emulator.botToken, { slackApiUrl: emulator.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    const parent = await client.chat.postMessage({ channel: channel.id, text: 'topic' });
    const threadTs = parent.ts ?? '';
    const refused = async (args: Record<string, unknown>) => ((await client.apiCall('assistant.threads.setStatus', args).catch((error: unknown) => error)) as WebAPIPlatformError).data?.error;
    expect(await refused({ thread_ts: threadTs, status: 'is writing…' })).toBe('invalid_arguments');
    expect(await refused({ channel_id: channel.id, status: 'is writing…' })).toBe('invalid_arguments');
    expect(await refused({ channel_id: channel.id, thread_ts: threadTs })).toBe('invalid_arguments');
    expect(await refused({ channel_id: 'CNOPE', thread_ts: threadTs, status: 'x' })).toBe('channel_not_found');
    // (Refused calls count against the rate too: the rest go to other channels.)
    const other = emulator.addChannel('other');
    expect(await refused({ channel: other.id, thread_ts: threadTs, status: 'x' })).toBe('invalid_arguments'); // `channel` is not its name
    expect(await refused({ channel_id: other.id, thread_ts: '1.000001', status: 'x' })).toBe('invalid_thread_ts');

    const third = emulator.addChannel('third');
    const thirdParent = await client.chat.postMessage({ channel: third.id, text: 'topic' });
    await client.assistant.threads.setStatus({ channel_id: third.id, thread_ts: thirdParent.ts ?? '', status: 'is writing…', username: 'Maker', icon_emoji: ':hammer:' });
    expect(emulator.workspace.statusOf(third.id, thirdParent.ts ?? '')).toMatchObject({ status: 'is writing…', username: 'Maker', iconEmoji: ':hammer:' });
    await client.chat.postMessage({ channel: third.id, thread_ts: thirdParent.ts ?? '', text: 'done', username: 'Maker' });
    expect(emulator.workspace.statusOf(third.id, thirdParent.ts ?? '')).toBeUndefined();

    // Its special tier: ~1 a second per channel (a short burst tolerated), refused with 429 beyond.
    const fourth = emulator.addChannel('fourth');
    const fourthParent = await client.chat.postMessage({ channel: fourth.id, text: 'topic' });
    const status = { channel_id: fourth.id, thread_ts: fourthParent.ts ?? '', status: 'is writing…' };
    await client.assistant.threads.setStatus(status);
    await client.assistant.threads.setStatus(status);
    await expect(client.assistant.threads.setStatus(status)).rejects.toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 1 });
    expect(emulator.rateLimitHits.map((hit) => hit.key)).toEqual([`status:${fourth.id}`]);
  });

  it('serves url_private only with the bot token, else an HTML login page with 200', async () => {
    emulator = await startSlackEmulator();
    const person = emulator.addUser('ada');
    const file = emulator.uploadFile(person, { name: 'a.png', mimetype: 'image/png', bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47]) });
    const url = `${emulator.baseUrl}/files-pri/${emulator.workspace.teamId}-${file.id}/a.png`;
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(200);
    expect(await anonymous.text()).toBe(loginPageHtml);
    const authorised = await fetch(url, { headers: { Authorization: `Bearer ${emulator.botToken}` } });
    expect(Buffer.from(await authorised.arrayBuffer())[1]).toBe(0x50);
  });
});

describe('Slack emulator event delivery (through a bare Bolt app)', () => {
  async function boltApp(mode: 'http' | 'socket') {
    emulator = await startSlackEmulator({ transport: mode, retryDelaysMs: [0, 50, 50] });
    const port = await freeLoopbackPort();
    const received: { type: string; retryNum: number | undefined }[] = [];
    const clientOptions = { slackApiUrl: emulator.apiUrl };
    const app =
      mode === 'http'
        ? new App({ token: emulator.botToken, receiver: new HTTPReceiver({ signingSecret: emulator.signingSecret, logLevel: LogLevel.ERROR }), clientOptions, logLevel: LogLevel.ERROR })
        : new App({ token: emulator.botToken, appToken: emulator.appToken, socketMode: true, clientOptions, installerOptions: { clientOptions }, logLevel: LogLevel.ERROR });
    app.event('app_mention', async ({ event, context }) => {
      received.push({ type: event.type, retryNum: context.retryNum });
    });
    app.command('/roundtable', async ({ ack, command, respond }) => {
      await ack();
      await respond({ response_type: 'ephemeral', text: `got ${command.text}` });
    });
    if (mode === 'http') await app.start({ port, host: '127.0.0.1' });
    else await app.start();
    cleanups.push(async () => {
      await app.stop();
    });
    emulator.setBotUrl(`http://127.0.0.1:${port}/slack/events`);
    return { app, received };
  }

  it('delivers signed events, slash commands and response_url replies over HTTP', async () => {
    const { received } = await boltApp('http');
    const live = emulator as SlackEmulator;
    const channel = live.addChannel('general');
    const person = live.addUser('ada');
    const posted = await live.userMentions(person, channel.id, 'hello');
    expect(posted.deliveries.every((delivery) => delivery.status === 200)).toBe(true);
    await live.waitFor(() => received.length === 1);
    const command = await live.userRunsCommand(person, channel.id, 'status');
    expect(command.status).toBe(200);
    await live.waitFor(() => live.ephemeralsFor(person.id).find((ephemeral) => ephemeral.text === 'got status'));
  });

  it('is refused by Bolt for a forged signature and a ten-minute-old timestamp', async () => {
    await boltApp('http');
    const live = emulator as SlackEmulator;
    const body = { type: 'event_callback', event_id: 'EvX', event: { type: 'app_mention', text: 'x', user: 'U1', channel: 'C1', ts: '1.1' } };
    expect((await live.sender.sendOnce('event', body, { signature: 'v0=deadbeef' })).status).toBe(401);
    expect((await live.sender.sendOnce('event', body, { timestampSeconds: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
  });

  it('retries an event that is not acknowledged within the ack timeout, with retry headers', async () => {
    emulator = await startSlackEmulator({ retryDelaysMs: [0, 10], ackTimeoutMs: 300 });
    const seen: { retryNum: string | undefined; reason: string | undefined }[] = [];
    const { createServer: createHttpServer } = await import('node:http');
    const slowBot = createHttpServer((request, response) => {
      seen.push({ retryNum: request.headers['x-slack-retry-num'] as string | undefined, reason: request.headers['x-slack-retry-reason'] as string | undefined });
      if (seen.length === 1) setTimeout(() => response.end('late'), 600);
      else response.end('ok');
    });
    await new Promise<void>((resolve) => slowBot.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      slowBot.closeAllConnections();
      await new Promise<void>((resolve) => slowBot.close(() => resolve()));
    });
    const address = slowBot.address();
    emulator.setBotUrl(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/slack/events`);
    const attempts = await emulator.sender.deliverEvent({ type: 'event_callback', event_id: 'EvSlow', event: { type: 'app_mention' } });
    expect(attempts.map((attempt) => [attempt.retryNum, attempt.status])).toEqual([
      [0, 0],
      [1, 200],
    ]);
    expect(seen[1]).toEqual({ retryNum: '1', reason: 'http_timeout' });
  });

  it('opens a modal from a block_actions trigger_id (once, within 3 s) and delivers view_submission with state.values', async () => {
    const { app } = await boltApp('http');
    const live = emulator as SlackEmulator;
    const channel = live.addChannel('general');
    const person = live.addUser('ada');
    const client = new WebClient(live.botToken, { slackApiUrl: live.apiUrl, retryConfig: { retries: 0 } });
    const parent = await client.chat.postMessage({ channel: channel.id, text: 'topic' });
    const post = await client.chat.postMessage({
      channel: channel.id,
      thread_ts: parent.ts ?? '',
      text: 'a persona post',
      username: 'Bayar',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: 'a persona post' } },
        { type: 'actions', block_id: 'ask', elements: [{ type: 'button', action_id: 'ask', text: { type: 'plain_text', text: 'Ask Bayar' }, value: 'bayar' }] },
      ],
    });
    const modal = {
      type: 'modal' as const,
      callback_id: 'ask_modal',
      private_metadata: 'bayar',
      title: { type: 'plain_text' as const, text: 'Ask Bayar' },
      submit: { type: 'plain_text' as const, text: 'Ask' },
      blocks: [{ type: 'input' as const, block_id: 'question', label: { type: 'plain_text' as const, text: 'Your question' }, element: { type: 'plain_text_input' as const, action_id: 'question', multiline: true, max_length: 100 } }],
    };
    const clicks: { triggerId: string; messageBlocks: unknown }[] = [];
    const opened: string[] = [];
    app.action('ask', async ({ ack, body }) => {
      await ack();
      const triggerId = (body as { trigger_id: string }).trigger_id;
      clicks.push({ triggerId, messageBlocks: (body as { message?: { blocks?: unknown } }).message?.blocks });
      const result = await client.views.open({ trigger_id: triggerId, view: modal });
      opened.push(result.view?.id ?? '');
    });
    const submissions: { metadata: string; value: unknown; user: string }[] = [];
    app.view('ask_modal', async ({ ack, view, body }) => {
      const value = view.state.values.question?.question?.value;
      if (value === 'bad') {
        await ack({ response_action: 'errors', errors: { question: 'Not that.' } });
        return;
      }
      await ack();
      submissions.push({ metadata: view.private_metadata, value, user: body.user.id });
    });

    await live.userClicks(person, channel.id, post.ts ?? '', 'ask');
    await live.waitFor(() => opened.length === 1);
    expect(JSON.stringify(clicks[0]?.messageBlocks)).toContain('"action_id":"ask"');
    // A trigger_id is exchanged once; an unknown one is invalid; one older than 3 s has expired.
    await expect(client.views.open({ trigger_id: clicks[0]?.triggerId ?? '', view: modal })).rejects.toMatchObject({ data: { error: 'exchanged_trigger_id' } });
    await expect(client.views.open({ trigger_id: '1.2.3', view: modal })).rejects.toMatchObject({ data: { error: 'invalid_trigger_id' } });
    const stale = live.workspace.issueTrigger(person.id, Date.now() - 3_500);
    await expect(client.views.open({ trigger_id: stale, view: modal })).rejects.toMatchObject({ data: { error: 'expired_trigger_id' } });
    const fresh = live.workspace.issueTrigger(person.id);
    await expect(client.views.open({ trigger_id: fresh, view: { ...modal, title: { type: 'plain_text', text: 'A title longer than 24 chars' } } })).rejects.toMatchObject({ data: { error: 'invalid_arguments' } });

    const view = live.openViews(person.id)[0];
    expect(view?.view).toMatchObject({ id: opened[0], type: 'modal', callback_id: 'ask_modal', private_metadata: 'bayar', app_id: live.workspace.appId, state: { values: {} } });
    await expect(live.userSubmitsView(person, opened[0] ?? '', { question: { question: 'x'.repeat(101) } })).rejects.toThrow(/at most 100/);
    const refused = await live.userSubmitsView(person, opened[0] ?? '', { question: { question: 'bad' } });
    expect(refused.errors).toEqual({ question: 'Not that.' });
    expect(view?.closed).toBe(false);
    const accepted = await live.userSubmitsView(person, opened[0] ?? '', { question: { question: 'Why oak?' } });
    expect(accepted.delivery.status).toBe(200);
    expect(view?.closed).toBe(true);
    await live.waitFor(() => submissions.length === 1);
    expect(submissions[0]).toEqual({ metadata: 'bayar', value: 'Why oak?', user: person.id });
  });

  it('delivers events over Socket Mode and receives acks', async () => {
    const { received } = await boltApp('socket');
    const live = emulator as SlackEmulator;
    const channel = live.addChannel('general');
    const person = live.addUser('ada');
    const posted = await live.userMentions(person, channel.id, 'hello');
    expect(posted.deliveries.map((delivery) => delivery.status)).toEqual([200, 200]);
    await live.waitFor(() => received.length === 1);
    const command = await live.userRunsCommand(person, channel.id, 'status');
    expect(command.status).toBe(200);
  });
});
