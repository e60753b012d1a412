/**
 * The whole product through the real discord.js client and the emulator: mention → thread →
 * introductions by distinct webhook identities → a person answered → an image described → a
 * vote by two people with buttons → /end refused for a stranger, accepted for the starter →
 * transcript attached, thread archived and locked. Zero 429s and nobody pinged throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertKeysBounded } from '../harness/key-hygiene.ts';
import { startE2E, tinyPng, type E2E, pollMessageIn } from './e2e-harness.ts';
import type { MessageRecord } from '../discord-emulator/discord-emulator.ts';

describe('Discord end to end: one roundtable', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E();
  });
  afterAll(async () => {
    await e2e?.stop();
  });

  it('runs a session from mention to archive', async () => {
    const { emulator, openai } = e2e;
    const alice = emulator.addMember('alice');
    const bob = emulator.addMember('bob');
    const mention = emulator.userSendsMessage(emulator.channelId, alice, `<@${emulator.botUser.id}> A reading lamp for bed`);

    const thread = await emulator.waitFor(() => emulator.threadsOf(emulator.channelId)[0], 10_000, 'the session thread');
    expect(thread.name).toBe('A reading lamp for bed');
    expect(emulator.messagesIn(emulator.channelId).find((message) => message.json.id === mention.json.id)?.json.thread).toBeTruthy();

    const personaPosts = () => emulator.messagesIn(thread.id).filter((message) => message.webhookUsername !== undefined);
    const intros = await emulator.waitFor(() => (personaPosts().length >= 2 ? personaPosts() : undefined), 20_000, 'two introductions');
    const names = new Set(intros.map((message) => message.webhookUsername));
    expect(names.size).toBe(2);
    for (const name of names) expect(name).not.toMatch(/discord|clyde/i);
    expect([...names].some((name) => name?.startsWith('Ada'))).toBe(true);

    // A person's message, without a mention, is answered.
    const before = personaPosts().length;
    emulator.userSendsMessage(thread.id, alice, 'What about battery life?');
    await emulator.waitFor(() => personaPosts().length > before, 20_000, 'an answer to alice');
    await emulator.waitFor(() => personaPosts().some((message) => String(message.json.content).includes('battery')), 20_000, 'the answer to mention battery life');

    // An image is fetched from the emulator's CDN and described by the vision model.
    emulator.userSendsMessage(thread.id, alice, 'Look at this colour', [{ filename: 'swatch.png', contentType: 'image/png', bytes: await tinyPng() }]);
    await emulator.waitFor(() => openai.chatRequests().some((request) => JSON.stringify(request.body).includes('image_url')), 20_000, 'a vision request');

    // Vote: /vote → poll message with buttons; two people vote.
    const voteCommand = emulator.userRunsCommand(thread.id, alice, 'vote', { action: 'open' });
    await emulator.waitFor(() => emulator.interaction(voteCommand.id)?.callbacks.length, 5_000, 'the /vote answer');
    const pollMessage = await emulator.waitFor(
      () => pollMessageIn(emulator, thread.id),
      30_000,
      'the poll message',
    );
    const buttons = (pollMessage.json.components as { components: { custom_id: string; label: string }[] }[]).flatMap((row) => row.components);
    const first = buttons[0]?.custom_id ?? '';
    const second = buttons[1]?.custom_id ?? '';
    expect(first).toMatch(/^tr:v:/);
    expect(buttons.at(-1)?.custom_id).toMatch(/^tr:x:/);
    for (const button of buttons) expect(button.custom_id.length).toBeLessThanOrEqual(100);
    const aliceClick = emulator.userClicksButton(thread.id, pollMessage.json.id as string, alice, first);
    const aliceNotice = await emulator.waitFor(() => emulator.interactionMessages(aliceClick.id).find((message) => message.ephemeral), 10_000, "alice's ballot notice");
    expect(String(aliceNotice.json.content)).toMatch(/^Your ballot: 1\. /);
    const bobClick = emulator.userClicksButton(thread.id, pollMessage.json.id as string, bob, second);
    const bobNotice = await emulator.waitFor(() => emulator.interactionMessages(bobClick.id).find((message) => message.ephemeral), 10_000, "bob's ballot notice");
    expect(String(bobNotice.json.content)).toMatch(/^Your ballot: 2\. /);
    await emulator.waitFor(() => /2 people have voted/.test(String(emulator.state.messages.get(pollMessage.json.id as string)?.json.content)), 20_000, 'counts updated in place');

    // /end: bob (a stranger without Manage Threads) is refused; alice (the starter) ends it.
    const refused = emulator.userRunsCommand(thread.id, bob, 'end');
    const refusal = await emulator.waitFor(() => emulator.interactionMessages(refused.id)[0], 5_000, 'the refusal');
    expect(refusal.ephemeral).toBe(true);
    expect(emulator.channel(thread.id)?.archived).toBe(false);
    emulator.userRunsCommand(thread.id, alice, 'end');
    await emulator.waitFor(() => emulator.channel(thread.id)?.archived, 60_000, 'the thread archived');
    expect(emulator.channel(thread.id)?.locked).toBe(true);
    const transcript = emulator
      .messagesIn(thread.id)
      .flatMap((message) => (message.json.attachments as { filename: string }[]).map((attachment) => attachment.filename))
      .find((filename) => filename.endsWith('.md'));
    expect(transcript).toBeTruthy();

    // Safety across the whole session.
    const all: MessageRecord[] = [...emulator.messagesIn(thread.id), ...emulator.messagesIn(emulator.channelId)];
    const botWrites = all.filter((message) => message.webhookUsername !== undefined || (message.json.author as { id: string }).id === emulator.botUser.id);
    for (const message of botWrites) {
      expect(message.pings).toEqual({ everyone: false, users: [], roles: [] });
      for (const allowed of message.allowedMentionsHistory) expect(allowed).toEqual({ parse: [] });
    }
    expect(emulator.rateLimitHits).toBe(0);
    expect(e2e.discord.rateLimitHits()).toBe(0);
    // Every key the Discord adapter and the engine wrote has a TTL or a bound.
    await assertKeysBounded(e2e.app.redis, e2e.app.config.REDIS_KEY_PREFIX);
  }, 150_000);
});
