/**
 * The Slack adapter through the emulator, with real Bolt, the real Web API client and real Redis,
 * and a scripted roundtable core (the full app runs in test/slack-e2e).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RedisClient } from '../../src/store/redis-connection.ts';
import { startSlackEmulator, type SlackEmulator } from '../../test/slack-emulator/slack-emulator.ts';
import { deleteKeys, testRedis, uniqueName } from '../../test/harness/redis.ts';
import { configFrom } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { RedisKeys } from '../../src/store/keys.ts';
import { RateBudget } from '../../src/pacing/rate-budget.ts';
import { buildSessionId } from '../../src/session/session-id.ts';
import { TableRoundError } from '../../src/errors.ts';
import type { CommandInvocation, PlatformAdapter } from '../../src/adapter/platform-adapter.ts';
import type { Person, SessionAction, StartRequest } from '../../src/adapter/inbound-event.ts';
import type { RoundtableService, SessionStatus } from '../../src/engine/roundtable-service.ts';
import type { CommandReply } from '../../commands/command.ts';
import type { PollView } from '../../src/adapter/chat-adapter.ts';
import { createSlackAdapter } from './index.ts';
import { ballotActionPrefix, closeActionId } from './poll-blocks.ts';
import { freeLoopbackPort } from '../../src/store/embedded-redis.ts';
import { deliverPost } from '../../src/outbound/deliver-post.ts';
import { createFakePng } from '../../test/fake-openai/fake-png.ts';
import { loadCommands } from '../../commands/load-commands.ts';
import { OutboxStream } from '../../src/outbound/outbox-stream.ts';
import { testOutbox } from '../../test/harness/test-outbox.ts';
import type { ChatAdapter, SendRequest } from '../../src/adapter/chat-adapter.ts';


/** A scripted core: records what the adapter asks for. */
class ScriptedRoundtable implements RoundtableService {
  starts: StartRequest[] = [];
  submits: { sessionId: string; person: Person; action: SessionAction; eventId: string | undefined }[] = [];
  poll: PollView | undefined;

  async start(request: StartRequest) {
    this.starts.push(request);
    return { sessionId: buildSessionId(request.address) };
  }
  private readonly seen = new Set<string>();
  /** Takes an event id once, as the session inbox does. */
  async submit(sessionId: string, person: Person, action: SessionAction, eventId?: string) {
    if (eventId && this.seen.has(eventId)) return { outcome: 'duplicate' as const };
    if (eventId) this.seen.add(eventId);
    this.submits.push({ sessionId, person, action, eventId });
    return { outcome: 'queued' as const };
  }
  async status(sessionId: string): Promise<SessionStatus | undefined> {
    const start = this.starts.find((request) => buildSessionId(request.address) === sessionId);
    if (!start) return undefined;
    return { sessionId, topic: start.topic, panelId: 'p', panelName: 'P', stage: 'discussion', round: 1, autoRounds: 0, ended: false, starter: start.person, personas: [], tokens: { prompt: 0, completion: 0, calls: 0 }, images: { generated: 0, limit: 8 }, pendingSteps: 0, pendingActions: 0, queuePosition: 0, poll: this.poll, openingPollId: 'p1', votedKeywords: [], createdAt: 0, updatedAt: 0 };
  }
  async mayManage(sessionId: string, person: Person) {
    const status = await this.status(sessionId);
    return Boolean(person.isManager || status?.starter.id === person.id);
  }
  async recentSessionFor(_platform: string, channel: string, personId: string) {
    const start = [...this.starts].reverse().find((request) => request.address.channel === channel && request.person.id === personId);
    return start ? buildSessionId(start.address) : undefined;
  }
  panels() {
    return [];
  }
  toggles: [string, string, number][] = [];
  private readonly picks = new Map<string, Set<number>>();
  async toggleBallot(sessionId: string, person: Person, pollId: string, index: number) {
    if (!this.poll || this.poll.pollId !== pollId || this.poll.status !== 'open') throw new TableRoundError('no_poll', 'closed', { publicMessage: 'This vote is closed.' });
    const picks = this.picks.get(person.id) ?? new Set<number>();
    if (!picks.has(index) && picks.size >= this.poll.maxChoices) return { outcome: 'full' as const, notice: `You can choose up to ${this.poll.maxChoices}.` };
    if (picks.has(index)) picks.delete(index);
    else picks.add(index);
    this.picks.set(person.id, picks);
    this.toggles.push([person.id, sessionId, index]);
    return { outcome: 'applied' as const, notice: `Your ballot: ${[...picks].sort().map((choice) => choice + 1).join(', ')}` };
  }
  pollShown() {}
}

interface Harness {
  emulator: SlackEmulator;
  platform: PlatformAdapter;
  roundtable: ScriptedRoundtable;
  invocations: CommandInvocation[];
  redis: RedisClient;
  prefix: string;
}

let harness: Harness | undefined;

afterEach(async () => {
  if (!harness) return;
  await harness.platform.stopIntake();
  await harness.platform.dispose();
  await harness.emulator.stop();
  await deleteKeys(harness.redis, harness.prefix);
  harness.redis.disconnect();
  harness = undefined;
});

async function setUp(options: { socketMode?: boolean; nativeStreaming?: boolean; commandDelayMs?: number } = {}): Promise<Harness> {
  const emulator = await startSlackEmulator({ transport: options.socketMode ? 'socket' : 'http', rateLimits: { postMessagePerChannel: { limit: 1, windowMs: 100 }, updatePerWorkspace: { limit: 50, windowMs: 6_000 } }, retryDelaysMs: [0, 50, 50] });
  const port = await freeLoopbackPort();
  const prefix = uniqueName('slk');
  const config = configFrom({
    SLACK_BOT_TOKEN: emulator.botToken,
    SLACK_SIGNING_SECRET: emulator.signingSecret,
    SLACK_APP_TOKEN: emulator.appToken,
    SLACK_SOCKET_MODE: options.socketMode ? 'true' : 'false',
    SLACK_API_URL: emulator.apiUrl,
    SLACK_HOST: '127.0.0.1',
    SLACK_PORT: port,
    SLACK_POST_WINDOW_MS: 100,
    SLACK_UPDATE_WINDOW_MS: 6_000,
    SLACK_NATIVE_STREAMING: options.nativeStreaming === false ? 'false' : 'true',
    REDIS_KEY_PREFIX: prefix,
    DOWNLOAD_ALLOW_HTTP: 'true',
    DOWNLOAD_ALLOW_PRIVATE_ADDRESSES: 'true',
  });
  const redis = testRedis();
  const keys = new RedisKeys(prefix);
  const roundtable = new ScriptedRoundtable();
  const invocations: CommandInvocation[] = [];
  const runCommand = async (invocation: CommandInvocation): Promise<CommandReply> => {
    invocations.push(invocation);
    if (options.commandDelayMs) await new Promise((resolve) => setTimeout(resolve, options.commandDelayMs));
    if (invocation.name === 'end' && invocation.sessionId && !(await roundtable.mayManage(invocation.sessionId, invocation.person))) {
      return { text: 'Only the person who started this session or a workspace admin can end it.', visibility: 'ephemeral' };
    }
    return { text: `ran ${invocation.name}`, visibility: invocation.name === 'status' ? 'ephemeral' : 'thread' };
  };
  const platform = createSlackAdapter({ config, logger: createLogger('silent'), redis, keys, budget: new RateBudget(redis, keys), roundtable, commands: await loadCommands(), runCommand });
  await platform.startInbound();
  if (!options.socketMode) emulator.setBotUrl(`http://127.0.0.1:${port}/slack/events`);
  else await emulator.waitFor(() => emulator.server.calls.some((call) => call.method === 'apps.connections.open'));
  harness = { emulator, platform, roundtable, invocations, redis, prefix };
  return harness;
}

/** A harness with one session started by ada's mention in #design. */
async function sessionStarted(options: Parameters<typeof setUp>[0] = {}) {
  const harness = await setUp(options);
  const channel = harness.emulator.addChannel('design');
  const ada = harness.emulator.addUser('ada');
  const mention = await harness.emulator.userMentions(ada, channel.id, 'topic');
  await harness.emulator.waitFor(() => harness.roundtable.starts.length === 1);
  const sessionId = buildSessionId({ platform: 'slack', channel: channel.id, thread: mention.ts });
  return { ...harness, channel, ada, mention, sessionId };
}

describe('Slack adapter through the emulator', () => {
  it('starts a session in the mention thread, takes thread replies and ignores its own posts', async () => {
    const { emulator, roundtable, platform } = await setUp();
    const channel = emulator.addChannel('design');
    const ada = emulator.addUser('ada');
    const png = await createFakePng();
    const image = emulator.uploadFile(ada, { name: 'kettle.png', mimetype: 'image/png', bytes: png });
    const mention = await emulator.userMentions(ada, channel.id, 'a kettle for the elderly', { files: [image] });
    await emulator.waitFor(() => roundtable.starts.length === 1);
    const start = roundtable.starts[0];
    // The workspace is the session's community (its panels and channel settings).
    expect(start?.address).toEqual({ platform: 'slack', channel: channel.id, thread: mention.ts, community: emulator.workspace.teamId });
    expect(start?.topic).toBe('a kettle for the elderly');
    expect(start?.person).toMatchObject({ id: ada.id, displayName: 'ada', isManager: false });
    expect(start?.images?.[0]?.filename).toBe('kettle.png');
    // The adapter fetches the image with the bot token.
    const bytes = await platform.adapter.fetchImage?.(start?.images?.[0] ?? { kind: 'url', location: '', filename: '' }, 1_000_000);
    expect(bytes).toEqual(png);

    const sessionId = buildSessionId(start?.address ?? { platform: 'slack', channel: '', thread: '' });
    const { outbox } = await testOutbox(harness!.redis, harness!.prefix, sessionId);
    await deliverPost({ outbox, adapter: platform.adapter, sessionId }, { key: 'p', speaker: { kind: 'persona', persona: { id: 'designer', displayName: 'Designer', emoji: ':art:' } }, text: 'I see it. <!channel> **look**' });
    const reply = await emulator.userReplies(ada, channel.id, mention.ts, 'what about the handle?');
    await emulator.waitFor(() => roundtable.submits.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(roundtable.submits).toHaveLength(1); // the persona's own post (echoed as an event) was ignored
    expect(roundtable.submits[0]).toMatchObject({ sessionId, action: { type: 'message', text: 'what about the handle?', messageId: reply.ts } });
    // An image shared in the thread (file_share, no mention) goes to the session too.
    const sketch = emulator.uploadFile(ada, { name: 'sketch.jpg', mimetype: 'image/jpeg', bytes: Buffer.from('jpg') });
    await emulator.userReplies(ada, channel.id, mention.ts, '', { files: [sketch] });
    await emulator.waitFor(() => roundtable.submits.length === 2);
    expect(roundtable.submits[1]?.action).toMatchObject({ type: 'message', images: [{ kind: 'url', filename: 'sketch.jpg', contentType: 'image/jpeg' }] });
    const persona = emulator.thread(channel.id, mention.ts).find((message) => message.username === 'Designer');
    expect(persona).toMatchObject({ iconEmoji: ':art:', text: 'I see it. &lt;!channel&gt; *look*' });
    expect(emulator.rateLimitHits).toHaveLength(0);
  });

  it('processes an Events API retry once and refuses forged or stale requests', async () => {
    const { emulator, roundtable } = await setUp();
    const channel = emulator.addChannel('design');
    const ada = emulator.addUser('ada');
    const mention = await emulator.userMentions(ada, channel.id, 'topic');
    await emulator.waitFor(() => roundtable.starts.length === 1);
    const reply = await emulator.userReplies(ada, channel.id, mention.ts, 'hello');
    await emulator.waitFor(() => roundtable.submits.length === 1);
    const original = emulator.deliveries.find((delivery) => delivery.eventId && delivery.retryNum === 0 && reply.deliveries.includes(delivery));
    const payload = { type: 'event_callback', event_id: original?.eventId, team_id: emulator.workspace.teamId, api_app_id: emulator.workspace.appId, event: { type: 'message', channel: channel.id, user: ada.id, text: 'hello', ts: reply.ts, thread_ts: mention.ts, channel_type: 'channel' } };
    const retry = await emulator.sender.sendOnce('event', payload, { retryNum: 1, retryReason: 'http_timeout' });
    expect(retry.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The message goes to the core under Slack's event id both times: the session inbox takes it once.
    expect(roundtable.submits).toHaveLength(1);
    expect(roundtable.submits[0]?.eventId).toBe(original?.eventId);
    expect((await emulator.sender.sendOnce('event', { ...payload, event_id: 'EvForged' }, { signature: 'v0=0000' })).status).toBe(401);
    expect((await emulator.sender.sendOnce('event', { ...payload, event_id: 'EvStale' }, { timestampSeconds: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(roundtable.submits).toHaveLength(1);
  });

  it('acks a slash command at once while the work is slow, and routes replies', async () => {
    const { emulator, roundtable, invocations } = await setUp({ commandDelayMs: 3_500 });
    const channel = emulator.addChannel('design');
    const ada = emulator.addUser('ada');
    const started = await emulator.userRunsCommand(ada, channel.id, 'start rounds:1 a quiet kettle');
    expect(started.status).toBe(200);
    expect(started.elapsedMs).toBeLessThan(3_000);
    await emulator.waitFor(() => invocations.length === 1, { timeoutMs: 10_000 });
    const invocation = invocations[0];
    expect(invocation).toMatchObject({ name: 'start', options: { rounds: '1', topic: 'a quiet kettle' }, person: { id: ada.id } });
    const parent = emulator.workspace.findMessage(channel.id, invocation?.address.thread ?? '');
    expect(parent?.text).toContain('a quiet kettle');
    expect(roundtable.starts).toHaveLength(0); // the scripted runner does not start; the real `start` command does
  });

  it('runs a Block Kit vote: toggles per person, full ballots, Close through the vote command', async () => {
    const { emulator, roundtable, invocations, platform } = await setUp();
    const channel = emulator.addChannel('design');
    const ada = emulator.addUser('ada');
    const bob = emulator.addUser('bob');
    const mention = await emulator.userMentions(ada, channel.id, 'topic');
    await emulator.waitFor(() => roundtable.starts.length === 1);
    const sessionId = buildSessionId({ platform: 'slack', channel: channel.id, thread: mention.ts });
    const poll: PollView = { sessionId, pollId: 'poll1', status: 'open', candidates: ['warm', 'quiet', 'light'].map((label, index) => ({ index, label, personaVotes: 0, peopleVotes: 0 })), peopleVoters: 0, personaVoters: 6, threshold: 0.6, maxChoices: 2 };
    roundtable.poll = poll;
    const pollTs = await platform.adapter.showPoll?.(poll, undefined);
    await emulator.userClicks(ada, channel.id, pollTs ?? '', `${ballotActionPrefix}0`);
    await emulator.userClicks(bob, channel.id, pollTs ?? '', `${ballotActionPrefix}1`);
    await emulator.waitFor(() => roundtable.toggles.length === 2);
    await emulator.userClicks(ada, channel.id, pollTs ?? '', `${ballotActionPrefix}2`);
    await emulator.waitFor(() => roundtable.toggles.length === 3);
    await emulator.userClicks(ada, channel.id, pollTs ?? '', `${ballotActionPrefix}1`); // a third choice: refused
    await emulator.waitFor(() => emulator.ephemeralsFor(ada.id).some((ephemeral) => ephemeral.text.includes('up to 2')));
    await emulator.userClicks(ada, channel.id, pollTs ?? '', `${ballotActionPrefix}0`); // take one back
    await emulator.waitFor(() => roundtable.toggles.length === 4);
    expect(roundtable.toggles.map(([personId, , index]) => [personId, index])).toEqual([
      [ada.id, 0],
      [bob.id, 1],
      [ada.id, 2],
      [ada.id, 0],
    ]);
    expect(emulator.ephemeralsFor(ada.id).at(-1)?.text).toBe('Your ballot: 3');
    await platform.adapter.showPoll?.({ ...poll, candidates: poll.candidates.map((candidate) => ({ ...candidate, peopleVotes: 1 })), peopleVoters: 2 }, pollTs);
    expect(emulator.workspace.findMessage(channel.id, pollTs ?? '')?.edits).toBe(1);
    // The Close button closes its own poll: `vote close` names it (the command refuses a poll that
    // is no longer open, and the step never closes another: test/security/poll-close.test.ts).
    await emulator.userClicks(bob, channel.id, pollTs ?? '', closeActionId);
    await emulator.waitFor(() => invocations.find((invocation) => invocation.name === 'vote'));
    expect(invocations.find((invocation) => invocation.name === 'vote')).toMatchObject({ options: { action: 'close', pollId: 'poll1' }, sessionId, person: { id: bob.id } });
  });

  it('refuses `end` from a stranger and accepts it from the starter (thread mention)', async () => {
    const { emulator, roundtable, invocations } = await setUp();
    const channel = emulator.addChannel('design');
    const ada = emulator.addUser('ada');
    const eve = emulator.addUser('eve');
    const mention = await emulator.userMentions(ada, channel.id, 'topic');
    await emulator.waitFor(() => roundtable.starts.length === 1);
    await emulator.userMentions(eve, channel.id, 'end', { threadTs: mention.ts });
    await emulator.waitFor(() => emulator.ephemeralsFor(eve.id).some((ephemeral) => ephemeral.text.includes('Only the person')));
    await emulator.userMentions(ada, channel.id, 'end', { threadTs: mention.ts });
    await emulator.waitFor(() => emulator.thread(channel.id, mention.ts).some((message) => message.text === 'ran end'));
    expect(invocations.map((invocation) => invocation.name)).toEqual(['end', 'end']);
    expect(roundtable.submits).toHaveLength(0);
  });

  it('streams natively with persona identity', async () => {
    const { emulator, platform, channel, ada, sessionId, redis, prefix } = await sessionStarted({});
    const speaker = { kind: 'persona' as const, persona: { id: 'maker', displayName: 'Maker', emoji: ':hammer:' } };
    const { outbox } = await testOutbox(redis, prefix, sessionId);
    const stream = new OutboxStream({ outbox, adapter: platform.adapter, sessionId, speaker, key: 'turn', logger: createLogger('silent') });
    await stream.open();
    stream.update('Hello');
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    stream.update('Hello <!here> and more');
    const [ref] = await stream.finish('Hello <!here> and more, done.');
    const streamed = emulator.workspace.findMessage(channel.id, ref ?? '');
    expect(streamed).toMatchObject({ username: 'Maker', iconEmoji: ':hammer:', streaming: 'stopped' });
    expect(streamed?.text.replace(/\u200B/g, '')).toBe('Hello <!here> and more, done.');
    expect(streamed?.text).not.toContain('<!here>');
    // The Ask button comes with chat.stopStream itself, under the finished text.
    expect(emulator.calls('chat.stopStream')).toHaveLength(1);
    expect(streamed?.blocks).toMatchObject([{ type: 'actions', elements: [{ type: 'button', action_id: 'tableround_ask', text: { text: '❓ Ask Maker' } }] }]);
    expect(JSON.parse((streamed?.blocks as { elements: { value: string }[] }[])[0]?.elements[0]?.value ?? '{}')).toMatchObject({ sessionId, personaId: 'maker' });
    expect(emulator.calls('chat.startStream')).toHaveLength(1);
    expect(emulator.calls('chat.startStream')[0]?.args).toMatchObject({ recipient_user_id: ada.id, recipient_team_id: emulator.workspace.teamId });
    expect(emulator.rateLimitHits).toHaveLength(0);
  });

  it('falls back to post-then-update: one post for a fast reply, paced edits for a slow one', async () => {
    const { emulator, platform, channel, sessionId, redis, prefix } = await sessionStarted({ nativeStreaming: false });
    const speaker = { kind: 'persona' as const, persona: { id: 'maker', displayName: 'Maker', avatarUrl: 'https://example.com/maker.png' } };
    const { outbox } = await testOutbox(redis, prefix, sessionId);
    const logger = createLogger('silent');
    const fast = new OutboxStream({ outbox, adapter: platform.adapter, sessionId, speaker, key: 'fast', logger });
    fast.update('Hi');
    await fast.finish('Hi there');
    expect(emulator.calls('chat.update')).toHaveLength(0);
    const slow = new OutboxStream({ outbox, adapter: platform.adapter, sessionId, speaker, key: 'slow', logger });
    slow.update('Slow');
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    slow.update('Slow reply');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const [ref] = await slow.finish('Slow reply, finished.');
    const message = emulator.workspace.findMessage(channel.id, ref ?? '');
    expect(message).toMatchObject({ text: 'Slow reply, finished.', username: 'Maker', iconUrl: 'https://example.com/maker.png' });
    // A post with blocks shows its blocks: every update sends the text's section again, and the button.
    expect(message?.blocks).toMatchObject([{ type: 'section', text: { type: 'mrkdwn', text: 'Slow reply, finished.' } }, { type: 'actions', elements: [{ action_id: 'tableround_ask' }] }]);
    expect(message?.edits).toBeGreaterThanOrEqual(1);
    expect(emulator.calls('chat.startStream')).toHaveLength(0);
    expect(emulator.rateLimitHits).toHaveLength(0);
  });

  it('a re-run after a crash mid-stream stops the open native stream and finishes the same message', async () => {
    const { emulator, platform, channel, sessionId, redis, prefix } = await sessionStarted({});
    const speaker = { kind: 'persona' as const, persona: { id: 'maker', displayName: 'Maker', emoji: ':hammer:' } };
    const logger = createLogger('silent');
    const step = await testOutbox(redis, prefix, sessionId);
    const crashed = new OutboxStream({ outbox: step.outbox, adapter: platform.adapter, sessionId, speaker, key: 'turn', logger });
    crashed.update('The first half');
    await emulator.waitFor(() => step.outbox.part('turn', 0)?.ref !== undefined);
    const ref = step.outbox.part('turn', 0)!.ref!;
    expect(emulator.workspace.findMessage(channel.id, ref)?.streaming).toBe('open');
    const postsBefore = emulator.calls('chat.postMessage').length + emulator.calls('chat.startStream').length;
    // The worker dies here; the retried step (a new process: a new adapter instance too) continues the same message.
    const retried = new OutboxStream({ outbox: await step.reload(), adapter: platform.adapter, sessionId, speaker, key: 'turn', logger });
    await retried.open();
    expect(emulator.workspace.findMessage(channel.id, ref)?.streaming).toBe('stopped');
    retried.update('The whole');
    const refs = await retried.finish('The whole thought, finished.');
    expect(refs).toEqual([ref]);
    expect(emulator.calls('chat.postMessage').length + emulator.calls('chat.startStream').length).toBe(postsBefore);
    expect(emulator.workspace.findMessage(channel.id, ref)?.text.replace(/\u200B/g, '')).toBe('The whole thought, finished.');
  });

  it('a post the platform took just before the process died is found again (conversations.replies), not sent twice', async () => {
    const { emulator, platform, channel, mention, sessionId, redis, prefix } = await sessionStarted({});
    const step = await testOutbox(redis, prefix, sessionId);
    // The platform accepts the message, then the process dies before the outbox records it.
    const dying: ChatAdapter = Object.assign(Object.create(platform.adapter) as ChatAdapter, {
      send: async (request: SendRequest) => {
        await platform.adapter.send(request);
        throw new Error('process killed');
      },
    });
    const speaker = { kind: 'persona' as const, persona: { id: 'maker', displayName: 'Maker', emoji: ':hammer:' } };
    const long = `${'A long sentence about kettles and their handles. '.repeat(80)}The end.`;
    await expect(deliverPost({ outbox: step.outbox, adapter: dying, sessionId }, { key: 'turn', speaker, text: long })).rejects.toThrow('process killed');
    const refs = await deliverPost({ outbox: await step.reload(), adapter: platform.adapter, sessionId }, { key: 'turn', speaker, text: long });
    const posted = emulator.thread(channel.id, mention.ts).filter((message) => message.username === 'Maker');
    expect(posted.map((message) => message.ts)).toEqual(refs);
    expect(posted.length).toBeGreaterThan(1);
    expect(posted.map((message) => message.text).join(' ')).toContain('The end.');
    expect(emulator.calls('conversations.replies').length).toBeGreaterThan(0);
  });

  it('uploads files into the thread and reports an HTML login page as a failed download', async () => {
    const { emulator, platform, channel, ada, mention, sessionId, redis, prefix } = await sessionStarted({});
    const { outbox } = await testOutbox(redis, prefix, sessionId);
    await deliverPost({ outbox, adapter: platform.adapter, sessionId }, { key: 'end', speaker: { kind: 'moderator' }, text: 'Transcript attached.', files: [{ filename: 'transcript.md', contentType: 'text/markdown', bytes: Buffer.from('# Transcript') }] });
    const shared = emulator.thread(channel.id, mention.ts).find((message) => message.files?.length);
    expect(shared?.files?.[0]).toMatchObject({ name: 'transcript.md', channel: channel.id, threadTs: mention.ts });
    expect(shared?.files?.[0]?.bytes.toString()).toBe('# Transcript');
    const file = emulator.uploadFile(ada, { name: 'x.png', mimetype: 'image/png', bytes: Buffer.from('x') });
    const location = `${emulator.baseUrl}/files-pri/${emulator.workspace.teamId}-${file.id}/x.png`;
    const { downloadSlackFile } = await import('./image-download.ts');
    const failure = await downloadSlackFile({ kind: 'url', location, filename: 'x.png' }, 1_000, 'xoxb-wrong', { SLACK_API_URL: emulator.apiUrl, DOWNLOAD_ALLOW_HTTP: true, DOWNLOAD_ALLOW_PRIVATE_ADDRESSES: true }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TableRoundError);
    expect(failure).toMatchObject({ code: 'image_download_failed' });
    expect((failure as TableRoundError).publicMessage).toContain('login page');
  });

  it('works over Socket Mode', async () => {
    const { emulator, roundtable } = await setUp({ socketMode: true });
    const channel = emulator.addChannel('design');
    const ada = emulator.addUser('ada');
    const mention = await emulator.userMentions(ada, channel.id, 'topic over sockets');
    await emulator.waitFor(() => roundtable.starts.length === 1);
    expect(roundtable.starts[0]?.address.thread).toBe(mention.ts);
    const command = await emulator.userRunsCommand(ada, channel.id, 'status');
    expect(command.status).toBe(200);
    await emulator.waitFor(() => emulator.ephemeralsFor(ada.id).some((ephemeral) => ephemeral.text === 'ran status'));
  });
});
