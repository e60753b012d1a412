/**
 * Inbound parsing against the platforms' own published payloads: each fixture (fixtures/*, with
 * its origin in SOURCE.md; what is filled in is listed in fixture-payloads.ts) is delivered to the
 * real app over the platform's real wire path — Slack: a signed HTTP request to Bolt's
 * /slack/events (Events API JSON, slash command form, interactivity `payload=`); Discord: a
 * gateway dispatch to discord.js — and the outcome is read from the app's store and the
 * emulators: a session opened with the right topic, a message or image reaching the session, or
 * nothing at all for what must be ignored.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E as startSlackE2E, until, type E2EHarness } from '../slack-e2e/slack-e2e-harness.ts';
import { startE2E as startDiscordE2E, type E2E as DiscordE2E } from '../discord-e2e/e2e-harness.ts';
import { fileObject, randomId, type EmulatedMessage, type EmulatedUser } from '../slack-emulator/workspace.ts';
import { memberJson, userJson, type ChannelRecord, type UserRecord } from '../discord-emulator/emulator-state.ts';
import { nextSnowflake } from '../discord-emulator/snowflake.ts';
import { createFakePng } from '../fake-openai/fake-png.ts';
import { ballotActionPrefix } from '../../adapters/slack/poll-blocks.ts';
import { buildSessionId } from '../../src/session/session-id.ts';
import {
  discordMessageCreate,
  discordSlashInteraction,
  slackAppMention,
  slackBlockAction,
  slackBotMessage,
  slackFileShare,
  slackMessageChanged,
  slackMessageDeleted,
  slackSlashCommand,
  slackThreadReply,
  type JsonObject,
  type SlackWorld,
} from './fixture-payloads.ts';

/** Long enough for a wrongly accepted event to reach the store or the model; short enough to keep the suite quick. */
const quietPeriodMs = 400;
const quiet = () => new Promise((resolve) => setTimeout(resolve, quietPeriodMs));

describe('Slack: java-slack-sdk payload samples through the signed Events API', () => {
  let harness: E2EHarness;
  let world: SlackWorld;
  beforeAll(async () => {
    harness = await startSlackE2E();
    const { workspace } = harness.emulator;
    world = { teamId: workspace.teamId, teamDomain: workspace.teamDomain, appId: workspace.appId, botUserId: workspace.botUserId };
  });
  afterAll(async () => {
    await harness?.stop();
  });

  /** Slack keeps the message before it sends the event; the bot's thread replies need the parent. */
  function recordMessage(message: Omit<EmulatedMessage, 'edits' | 'history'>): void {
    harness.emulator.workspace.messages.push({ ...message, edits: 0, history: [message.text] });
  }

  /** A session started the emulator's usual way, settled: the stage for the fixture under test. */
  async function liveSession(channelName: string): Promise<{ channel: string; person: EmulatedUser; threadTs: string; sessionId: string }> {
    const { emulator } = harness;
    const channel = emulator.addChannel(channelName);
    const person = emulator.addUser(`${channelName}-person`);
    const mention = await emulator.userMentions(person, channel.id, 'A kettle for a small kitchen');
    const sessionId = harness.sessionIdFor(channel.id, mention.ts);
    await until(() => harness.app.roundtable.status(sessionId), 'the session');
    await harness.settled(sessionId);
    return { channel: channel.id, person, threadTs: mention.ts, sessionId };
  }

  /** What must not change when an event is ignored. */
  async function observable(sessionId: string) {
    const status = await harness.app.roundtable.status(sessionId);
    return {
      transcript: await harness.app.store.transcriptLength(sessionId),
      pendingSteps: status?.pendingSteps,
      pendingActions: status?.pendingActions,
      modelRequests: harness.fake.chatRequests().length,
    };
  }

  it('starts a session from the app_mention sample, with the mention text minus the bot mention as topic', async () => {
    const { emulator, app } = harness;
    const channel = emulator.addChannel('mention-sample');
    const ada = emulator.addUser('ada');
    const ts = emulator.workspace.nextTs();
    const text = `<@${world.botUserId}> A kettle that whispers when it boils`;
    recordMessage({ channel: channel.id, ts, user: ada.id, text });
    const delivery = await emulator.sender.sendOnce('event', slackAppMention(world, { channel: channel.id, user: ada.id, ts, text }));
    expect(delivery.status).toBe(200);
    const status = await until(() => app.roundtable.status(harness.sessionIdFor(channel.id, ts)), 'the session from the sample');
    expect(status.topic).toBe('A kettle that whispers when it boils');
    expect(status.starter.id).toBe(ada.id);
    await harness.settled(status.sessionId);
  });

  it('submits the plain message sample, placed in a session thread, to that session', async () => {
    const { emulator, app } = harness;
    const session = await liveSession('reply-sample');
    const ts = emulator.workspace.nextTs();
    const text = 'What about a lid that never rattles?';
    recordMessage({ channel: session.channel, ts, threadTs: session.threadTs, user: session.person.id, text });
    const payload = slackThreadReply(world, { channel: session.channel, user: session.person.id, ts, threadTs: session.threadTs, parentUserId: session.person.id, text });
    expect((await emulator.sender.sendOnce('event', payload)).status).toBe(200);
    const entry = await until(async () => (await app.store.transcript(session.sessionId)).find((item) => item.kind === 'person' && item.text.includes(text)), 'the reply in the transcript');
    expect(entry.speakerId).toBe(session.person.id);
    await harness.settled(session.sessionId);
  });

  it('takes the image of the file_share sample, its file served by the emulator, into the session', async () => {
    const { emulator, app } = harness;
    const session = await liveSession('file-sample');
    const image = emulator.uploadFile(session.person, { name: 'glaze-sample.png', mimetype: 'image/png', bytes: await createFakePng() });
    image.channel = session.channel;
    image.threadTs = session.threadTs;
    const ts = emulator.workspace.nextTs();
    const text = 'This glaze, maybe?';
    recordMessage({ channel: session.channel, ts, threadTs: session.threadTs, user: session.person.id, text, subtype: 'file_share', files: [image] });
    const file = fileObject(image, emulator.baseUrl, world.teamId);
    const payload = slackFileShare(world, { channel: session.channel, user: session.person.id, ts, threadTs: session.threadTs, parentUserId: session.person.id, text }, file);
    expect((await emulator.sender.sendOnce('event', payload)).status).toBe(200);
    const record = await until(async () => (await app.store.images(session.sessionId)).find((item) => item.filename === 'glaze-sample.png'), 'the image described in the session', 20_000);
    expect(record.description).toContain('red field');
    await harness.settled(session.sessionId);
    const transcript = await app.store.transcript(session.sessionId);
    expect(transcript.some((item) => item.kind === 'person' && item.speakerId === session.person.id && item.text.includes(text))).toBe(true);
    expect(transcript.some((item) => item.images?.includes(record.hash))).toBe(true);
    // Fetched from url_private(_download) with the bot token, as Slack requires.
    expect(emulator.server.fileRequestsWithoutAuth).toBe(0);
  });

  it('ignores the bot_message sample in a session thread', async () => {
    const { emulator } = harness;
    const session = await liveSession('bot-sample');
    const before = await observable(session.sessionId);
    const ts = emulator.workspace.nextTs();
    const payload = slackBotMessage(world, { channel: session.channel, ts, threadTs: session.threadTs, text: 'An integration posting into the thread.' }, randomId('B'));
    expect((await emulator.sender.sendOnce('event', payload)).status).toBe(200);
    await quiet();
    expect(await observable(session.sessionId)).toEqual(before);
  });

  it('ignores the message_changed sample of a reply in a session thread', async () => {
    const { emulator } = harness;
    const session = await liveSession('changed-sample');
    const before = await observable(session.sessionId);
    const placement = { channel: session.channel, user: session.person.id, ts: emulator.workspace.nextTs(), threadTs: session.threadTs, parentUserId: session.person.id, text: 'Edited: what about copper?' };
    const payload = slackMessageChanged(world, placement, 'What about copper?', emulator.workspace.nextTs());
    expect((await emulator.sender.sendOnce('event', payload)).status).toBe(200);
    await quiet();
    expect(await observable(session.sessionId)).toEqual(before);
  });

  it('ignores the message_deleted sample of a reply in a session thread', async () => {
    const { emulator } = harness;
    const session = await liveSession('deleted-sample');
    const before = await observable(session.sessionId);
    const placement = { channel: session.channel, user: session.person.id, ts: emulator.workspace.nextTs(), threadTs: session.threadTs, parentUserId: session.person.id, text: 'What about copper?' };
    const payload = slackMessageDeleted(world, placement, emulator.workspace.nextTs());
    expect((await emulator.sender.sendOnce('event', payload)).status).toBe(200);
    await quiet();
    expect(await observable(session.sessionId)).toEqual(before);
  });

  it('acknowledges the slash command sample with 200 and starts the session it asks for', async () => {
    const { emulator, app } = harness;
    const channel = emulator.addChannel('command-sample');
    const ada = emulator.addUser('ada-command');
    const responseUrlId = randomId('R', 16);
    emulator.server.responseUrls.set(responseUrlId, { remaining: 5, channel: channel.id, user: ada.id });
    const payload = slackSlashCommand(world, {
      channel,
      user: { id: ada.id, name: ada.name },
      command: harness.config.SLACK_COMMAND,
      text: 'start A teapot for one',
      responseUrl: `${emulator.baseUrl}/response/${responseUrlId}`,
      triggerId: randomId('', 20),
    });
    const delivery = await emulator.sender.sendOnce('command', payload);
    expect(delivery.status).toBe(200);
    expect(delivery.elapsedMs).toBeLessThan(3_000);
    const sessionId = await until(() => app.roundtable.recentSessionFor('slack', channel.id, ada.id), 'the session of the command');
    expect((await app.roundtable.status(sessionId))?.topic).toBe('A teapot for one');
    await emulator.waitFor(() => emulator.ephemeralsFor(ada.id).find((ephemeral) => ephemeral.text.includes('Roundtable started')), { timeoutMs: 5_000, message: 'the start confirmation' });
    await harness.settled(sessionId);
  });

  it('counts the ballot of the block_actions sample, its action being a vote button of the open poll', async () => {
    const { emulator, app } = harness;
    const session = await liveSession('action-sample');
    await emulator.userMentions(session.person, session.channel, 'vote', { threadTs: session.threadTs });
    const actionId = `${ballotActionPrefix}0`;
    const pollMessage = await emulator.waitFor(() => emulator.thread(session.channel, session.threadTs).find((message) => JSON.stringify(message.blocks ?? []).includes(actionId)), { timeoutMs: 15_000, message: 'the poll' });
    await harness.settled(session.sessionId);
    const button = findButton(pollMessage.blocks ?? [], actionId);
    const responseUrlId = randomId('R', 16);
    emulator.server.responseUrls.set(responseUrlId, { remaining: 5, channel: session.channel, user: session.person.id, threadTs: session.threadTs });
    const payload = slackBlockAction(world, {
      channel: { id: session.channel, name: 'action-sample' },
      user: { id: session.person.id, name: session.person.name },
      messageTs: pollMessage.ts,
      threadTs: session.threadTs,
      actionId,
      blockId: button.blockId,
      value: button.value,
      responseUrl: `${emulator.baseUrl}/response/${responseUrlId}`,
      triggerId: randomId('', 20),
    });
    const delivery = await emulator.sender.sendOnce('interactive', payload);
    expect(delivery.status).toBe(200);
    await until(async () => (await app.roundtable.status(session.sessionId))?.poll?.peopleVoters === 1, 'the ballot counted');
    await emulator.waitFor(() => emulator.ephemeralsFor(session.person.id).find((ephemeral) => /ballot/i.test(ephemeral.text)), { timeoutMs: 5_000, message: 'the ballot confirmation' });
  });
});

function findButton(blocks: unknown[], actionId: string): { blockId: string; value: string } {
  for (const block of blocks as { block_id?: string; elements?: unknown[]; accessory?: unknown }[]) {
    const elements = [...(block.elements ?? []), ...(block.accessory ? [block.accessory] : [])] as { action_id?: string; value?: string }[];
    const button = elements.find((element) => element.action_id === actionId);
    if (button) return { blockId: block.block_id ?? '', value: button.value ?? '' };
  }
  throw new Error(`no button ${actionId}`);
}

describe('Discord: the API docs’ example payloads as gateway dispatches', () => {
  let e2e: DiscordE2E;
  beforeAll(async () => {
    e2e = await startDiscordE2E();
    await e2e.emulator.waitForBot();
  });
  afterAll(async () => {
    await e2e?.stop();
  });

  /** Discord stores a message before it dispatches MESSAGE_CREATE; the bot opens its thread on it. */
  function storeMessage(json: JsonObject, mentionedUserIds: string[]): void {
    const channelId = String(json.channel_id);
    e2e.emulator.state.messages.set(String(json.id), {
      json,
      channelId,
      allowedMentionsHistory: [undefined],
      pings: { everyone: false, users: mentionedUserIds, roles: [] },
      edits: [],
      ephemeral: false,
      deleted: false,
    });
  }

  function memberOf(user: UserRecord): JsonObject {
    const member = e2e.emulator.state.guilds.get(e2e.emulator.guildId)?.members.get(user.id);
    if (!member) throw new Error(`${user.username} is not a member`);
    return memberJson(member);
  }

  async function settled(sessionId: string): Promise<void> {
    await until(async () => {
      const status = await e2e.app.roundtable.status(sessionId);
      return status !== undefined && status.pendingSteps === 0 && status.pendingActions === 0;
    }, `session ${sessionId} to settle`);
  }

  /** A session started the emulator's usual way, settled, with its persona posts made through our webhook. */
  async function liveSession(channelName: string): Promise<{ channel: ChannelRecord; thread: ChannelRecord; person: UserRecord; sessionId: string }> {
    const { emulator } = e2e;
    const channel = emulator.addTextChannel(channelName);
    const person = emulator.addMember(`${channelName}-person`);
    emulator.userSendsMessage(channel.id, person, `<@${emulator.botUser.id}> A bench for a bus stop`);
    const thread = await emulator.waitFor(() => emulator.threadsOf(channel.id)[0], 10_000, 'the session thread');
    const sessionId = buildSessionId({ platform: 'discord', channel: channel.id, thread: thread.id });
    await until(() => e2e.app.roundtable.status(sessionId), 'the session');
    await emulator.waitFor(() => emulator.messagesIn(thread.id).some((message) => message.webhookUsername !== undefined), 15_000, 'a persona post');
    await settled(sessionId);
    return { channel, thread, person, sessionId };
  }

  async function observable(sessionId: string) {
    const status = await e2e.app.roundtable.status(sessionId);
    return {
      transcript: await e2e.app.store.transcriptLength(sessionId),
      pendingSteps: status?.pendingSteps,
      pendingActions: status?.pendingActions,
      modelRequests: e2e.openai.chatRequests().length,
    };
  }

  it('opens a thread and a session from the Example Message mentioning the bot, with the topic after the mention', async () => {
    const { emulator, app } = e2e;
    const channel = emulator.addTextChannel('example-mention');
    const alice = emulator.addMember('alice');
    const bot = emulator.botUser;
    const message = discordMessageCreate({
      id: nextSnowflake(),
      channelId: channel.id,
      guildId: emulator.guildId,
      authorId: alice.id,
      content: `<@${bot.id}> A lamp for reading in bed`,
      mentions: [userJson(bot)],
      member: memberOf(alice),
    });
    storeMessage(message, [bot.id]);
    emulator.dispatchRaw('MESSAGE_CREATE', message);
    const thread = await emulator.waitFor(() => emulator.threadsOf(channel.id)[0], 10_000, 'the session thread');
    expect(thread.name).toBe('A lamp for reading in bed');
    const sessionId = buildSessionId({ platform: 'discord', channel: channel.id, thread: thread.id });
    const status = await until(() => app.roundtable.status(sessionId), 'the session');
    expect(status.topic).toBe('A lamp for reading in bed');
    expect(status.starter.id).toBe(alice.id);
    await settled(sessionId);
  });

  it('submits the Example Message, posted by a person in a session thread, to that session', async () => {
    const { emulator, app } = e2e;
    const session = await liveSession('example-reply');
    const content = 'Could the seat be warm in winter?';
    const message = discordMessageCreate({ id: nextSnowflake(), channelId: session.thread.id, guildId: emulator.guildId, authorId: session.person.id, content, mentions: [], member: memberOf(session.person) });
    storeMessage(message, []);
    emulator.dispatchRaw('MESSAGE_CREATE', message);
    const entry = await until(async () => (await app.store.transcript(session.sessionId)).find((item) => item.kind === 'person' && item.text === content), 'the message in the transcript');
    expect(entry.speakerId).toBe(session.person.id);
    await settled(session.sessionId);
  });

  it('ignores the Example Message when the bot itself is its author', async () => {
    const { emulator } = e2e;
    const session = await liveSession('example-self');
    const before = await observable(session.sessionId);
    const bot = emulator.botUser;
    const message = discordMessageCreate({ id: nextSnowflake(), channelId: session.thread.id, guildId: emulator.guildId, authorId: bot.id, content: 'A note the bot posted itself.', mentions: [], member: memberOf(bot) });
    storeMessage(message, []);
    emulator.dispatchRaw('MESSAGE_CREATE', message);
    await quiet();
    expect(await observable(session.sessionId)).toEqual(before);
  });

  it('ignores the Example Message posted through our own persona webhook, even without author.bot', async () => {
    const { emulator } = e2e;
    const session = await liveSession('example-webhook');
    const webhook = [...emulator.state.webhooks.values()].find((candidate) => candidate.channelId === session.channel.id);
    if (!webhook) throw new Error('the session posted through no webhook');
    const before = await observable(session.sessionId);
    // The published author has no `bot` flag: only `webhook_id` says it is a webhook post.
    const message = discordMessageCreate({ id: nextSnowflake(), channelId: session.thread.id, guildId: emulator.guildId, authorId: webhook.id, content: 'A persona speaking through the webhook.', mentions: [], webhookId: webhook.id });
    storeMessage(message, []);
    emulator.dispatchRaw('MESSAGE_CREATE', message);
    await quiet();
    expect(await observable(session.sessionId)).toEqual(before);
  });

  // The example carries `channel_id` only (no partial `channel` object): discord.js alone would read it as a DM.
  it('starts a session from the slash command Example Interaction for /roundtable', async () => {
    const { emulator, app } = e2e;
    const channel = emulator.addTextChannel('example-interaction');
    const alice = emulator.addMember('alice-interaction');
    // Registering commands is a deploy script, not a boot step: the emulator may know none.
    const registered = [...emulator.state.commands.values()].flat().find((command) => command.name === 'roundtable');
    const id = nextSnowflake();
    const token = `itoken.${randomBytes(24).toString('base64url')}`;
    emulator.state.interactions.set(id, { id, token, type: 2, channelId: channel.id, guildId: emulator.guildId, userId: alice.id, createdAt: Date.now(), callbacks: [], originalMessageId: undefined, sourceMessageId: undefined, followUpIds: [], ephemeral: false });
    const interaction = discordSlashInteraction({
      id,
      token,
      guildId: emulator.guildId,
      channelId: channel.id,
      user: { id: alice.id, username: alice.username },
      roles: [],
      command: { id: String(registered?.id ?? nextSnowflake()), name: 'roundtable', options: [{ type: 3, name: 'topic', value: 'A folding stool for balconies' }] },
    });
    emulator.dispatchRaw('INTERACTION_CREATE', interaction);
    await emulator.waitFor(() => (emulator.interaction(id)?.callbacks.length ?? 0) > 0, 5_000, 'the interaction answer');
    const thread = await emulator.waitFor(() => emulator.threadsOf(channel.id)[0], 10_000, 'the session thread');
    const sessionId = buildSessionId({ platform: 'discord', channel: channel.id, thread: thread.id });
    const status = await until(() => app.roundtable.status(sessionId), 'the session');
    expect(status.topic).toBe('A folding stool for balconies');
    // The deferred answer is edited through /webhooks/{application_id}/{token}: the person sees where the thread is.
    await emulator.waitFor(() => emulator.interactionMessages(id).some((message) => String(message.json.content).includes(`<#${thread.id}>`)), 5_000, 'the start confirmation');
    await settled(sessionId);
  });
});
