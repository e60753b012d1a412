/**
 * Asking one persona on Discord, through the real app, discord.js and the emulator: a reply
 * (message reference) to a persona's webhook post, and the "Ask ⟨name⟩" button → modal → submit.
 * Each is submitted `addressedTo` that persona (the adapter's part, seen on `roundtable.submit`)
 * and answered by that persona alone (the engine's part: the mini panel's rotation would pick Ada,
 * so an answer by Sam shows the address was followed). The question from the modal is shown in the
 * thread by the bot, pinging nobody. A click in a thread that is not a roundtable, or for a persona
 * no longer on the panel, gets a short ephemeral answer.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildSessionId } from '../../src/session/session-id.ts';
import type { Person, SessionAction } from '../../src/adapter/inbound-event.ts';
import type { ChannelRecord, MessageRecord } from '../discord-emulator/discord-emulator.ts';
import { customIdsOf } from '../discord-emulator/components.ts';
import { startE2E, type E2E } from './e2e-harness.ts';

const askSam = 'tr:a:skeptic';

describe('Discord end to end: asking one persona', () => {
  let e2e: E2E;
  let thread: ChannelRecord;
  let sessionId: string;
  let submits: { action: SessionAction; person: Person }[];
  const personaPosts = () => e2e.emulator.messagesIn(thread.id).filter((message) => message.webhookUsername !== undefined);
  const postsBy = (prefix: string) => personaPosts().filter((message) => message.webhookUsername?.startsWith(prefix));

  beforeAll(async () => {
    e2e = await startE2E();
    const { emulator, app } = e2e;
    submits = [];
    const submit = app.roundtable.submit.bind(app.roundtable);
    vi.spyOn(app.roundtable, 'submit').mockImplementation(async (id, person, action, eventId) => {
      submits.push({ action, person });
      return submit(id, person, action, eventId);
    });
    const alice = emulator.addMember('alice');
    emulator.userSendsMessage(emulator.channelId, alice, `<@${emulator.botUser.id}> A reading lamp for bed`);
    thread = await emulator.waitFor(() => emulator.threadsOf(emulator.channelId)[0], 10_000, 'the session thread');
    sessionId = buildSessionId({ platform: 'discord', channel: emulator.channelId, thread: thread.id });
    await emulator.waitFor(() => (postsBy('Ada').length && postsBy('Sam').length ? true : undefined), 20_000, 'both introductions');
    await e2e.settled(sessionId);
  }, 60_000);

  afterAll(async () => {
    vi.restoreAllMocks();
    await e2e?.stop();
  });

  /** Waits for the persona answer after `since` (a message id), lets the session settle, and returns every persona post after it. */
  async function answersAfter(since: string): Promise<MessageRecord[]> {
    const after = () => personaPosts().filter((message) => BigInt(message.json.id as string) > BigInt(since));
    await e2e.emulator.waitFor(() => (after().length > 0 ? true : undefined), 20_000, 'a persona answer');
    await e2e.settled(sessionId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    return after();
  }

  it('puts an Ask button on every persona post, in the post itself', () => {
    for (const post of personaPosts()) {
      const ids = customIdsOf(post.json.components);
      expect(ids).toHaveLength(1);
      expect(ids[0]).toMatch(/^tr:a:(maker|skeptic)$/);
    }
    const samButton = (postsBy('Sam')[0]?.json.components as { components: { label: string; custom_id: string }[] }[])[0]?.components[0];
    expect(samButton).toMatchObject({ custom_id: askSam, label: 'Ask Sam (skeptic)' });
    // No write of its own: every webhook request is a post or an edit of a persona's text.
    const webhook = [...e2e.emulator.state.webhooks.values()].find((candidate) => candidate.channelId === e2e.emulator.channelId);
    const executeOrEdit = new RegExp(`^/webhooks/${webhook?.id ?? 'none'}/[^/]+(/messages/\\d+)?$`);
    const webhookWrites = e2e.emulator.stats.requests.filter((request) => request.method !== 'GET' && request.status === 200 && executeOrEdit.test(request.path));
    expect(webhookWrites.length).toBe(personaPosts().length + personaPosts().reduce((sum, post) => sum + post.edits.length, 0));
  });

  it('a reply to a persona post asks that persona, and only it answers', async () => {
    const { emulator } = e2e;
    const bob = emulator.addMember('bob');
    const samIntro = postsBy('Sam')[0];
    if (!samIntro) throw new Error('no post by Sam');
    const reply = emulator.userSendsMessage(thread.id, bob, 'Is it safe at night?', [], { replyTo: samIntro.json.id as string });
    const answers = await answersAfter(reply.json.id as string);
    expect(submits.at(-1)).toMatchObject({ action: { type: 'message', text: 'Is it safe at night?', addressedTo: 'skeptic' }, person: { id: bob.id } });
    expect(answers.map((message) => message.webhookUsername)).toEqual(['Sam (skeptic)']);
    expect(String(answers[0]?.json.content)).toContain('Is it safe at night?');
  });

  it('a reply to a post that is no persona’s is a plain message', async () => {
    const { emulator } = e2e;
    const carol = emulator.addMember('carol');
    const opening = emulator.messagesIn(thread.id).find((message) => (message.json.author as { id: string }).id === emulator.botUser.id);
    if (!opening) throw new Error('no moderator post');
    const before = submits.length;
    emulator.userSendsMessage(thread.id, carol, 'Thanks for hosting', [], { replyTo: opening.json.id as string });
    await emulator.waitFor(() => (submits.length > before ? true : undefined), 10_000, 'the reply submitted');
    expect(submits.at(-1)?.action).toMatchObject({ type: 'message', text: 'Thanks for hosting' });
    expect(submits.at(-1)?.action).not.toHaveProperty('addressedTo');
    await e2e.settled(sessionId);
  });

  it('the Ask button opens a modal; its question is shown without pings and answered by that persona alone', async () => {
    const { emulator } = e2e;
    const dora = emulator.addMember('dora');
    const samPost = postsBy('Sam').at(-1);
    if (!samPost) throw new Error('no post by Sam');
    const click = emulator.userClicksButton(thread.id, samPost.json.id as string, dora, askSam);
    const modal = await emulator.waitFor(() => emulator.interaction(click.id)?.modal, 5_000, 'the modal');
    expect(emulator.interaction(click.id)?.callbacks.map((callback) => callback.type)).toEqual([9]);
    expect(modal.data).toMatchObject({ custom_id: 'tr:q:skeptic', title: 'Ask Sam (skeptic)', components: [{ type: 18, label: 'Your question for Sam (skeptic)', component: { type: 4, custom_id: 'question', style: 2 } }] });

    const question = 'What about @everyone and <@123456789012345678> at night?';
    const submit = emulator.userSubmitsModal(click.id, { question });
    const shown = await emulator.waitFor(() => emulator.interactionMessages(submit.id)[0], 5_000, 'the question in the thread');
    expect(shown.ephemeral).toBe(false);
    expect(shown.json.content).toBe('❓ **dora** asks **Sam (skeptic)**: What about @\u200beveryone and <@123456789012345678> at night?');
    expect(shown.pings).toEqual({ everyone: false, users: [], roles: [] });
    expect(shown.allowedMentionsHistory).toEqual([{ parse: [] }]);
    expect(submits.at(-1)).toMatchObject({ action: { type: 'message', text: question, addressedTo: 'skeptic', images: [] }, person: { id: dora.id, displayName: 'dora' } });

    const answers = await answersAfter(shown.json.id as string);
    expect(answers.map((message) => message.webhookUsername)).toEqual(['Sam (skeptic)']);
    expect(String(answers[0]?.json.content)).toContain('at night');
    expect(emulator.rateLimitHits).toBe(0);
  });

  it('answers a click outside a roundtable, or for a persona no longer on the panel, ephemerally', async () => {
    const { emulator } = e2e;
    const erin = emulator.addMember('erin');
    const webhook = [...emulator.state.webhooks.values()].find((candidate) => candidate.channelId === emulator.channelId);
    if (!webhook) throw new Error('no persona webhook');
    /** A post through the app's own webhook (as a persona post is made), with one Ask button. */
    const postWithButton = async (threadId: string, username: string, customId: string): Promise<string> => {
      const response = await fetch(`${emulator.apiUrl}/v10/webhooks/${webhook.id}/${webhook.token}?wait=true&thread_id=${threadId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content: 'an earlier post', username, allowed_mentions: { parse: [] }, components: [{ type: 1, components: [{ type: 2, style: 2, custom_id: customId, label: `Ask ${username}` }] }] }),
      });
      return ((await response.json()) as { id: string }).id;
    };
    const ephemeralAnswer = async (interactionId: string) => {
      const answer = await emulator.waitFor(() => emulator.interactionMessages(interactionId)[0], 5_000, 'the answer');
      expect(answer.ephemeral).toBe(true);
      expect(emulator.interaction(interactionId)?.modal).toBeUndefined();
      return String(answer.json.content);
    };

    const elsewhere = emulator.addThread(emulator.channelId, 'Just chatting');
    const stray = await postWithButton(elsewhere.id, 'Sam (skeptic)', askSam);
    expect(await ephemeralAnswer(emulator.userClicksButton(elsewhere.id, stray, erin, askSam).id)).toBe('This button only works in a roundtable thread, and there is no roundtable here.');

    const gone = await postWithButton(thread.id, 'Quinn', 'tr:a:quinn');
    expect(await ephemeralAnswer(emulator.userClicksButton(thread.id, gone, erin, 'tr:a:quinn').id)).toBe('Quinn is no longer on this panel.');
    expect(submits.some((submit) => submit.person.id === erin.id)).toBe(false);
  });
});
