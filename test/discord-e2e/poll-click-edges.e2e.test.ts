/**
 * A click on the poll the moment it appears: the bot posts the poll message, then commits the
 * poll, so a click can land while the poll is not in the store yet (seen in CI: the first voter
 * was told "This vote is no longer current" and their vote lost). Here the emulator holds the
 * poll post's REST answer — the message is visible, the bot still awaits its post — and a person
 * clicks in that gap: the click is acknowledged in time, counts once the poll is committed, the
 * person is told their ballot, and the poll message shows it. And a click whose work outlasts
 * Discord's 3 s (a busy Redis) is acknowledged first, then updates the poll through the interaction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E, type E2E } from './e2e-harness.ts';
import type { InteractionRecord } from '../discord-emulator/discord-emulator.ts';

describe('Discord end to end: clicks on a poll at its edges', () => {
  let e2e: E2E;
  /** The session and poll the first test opened (the second clicks on it). */
  let opened: { threadId: string; pollMessageId: string } | undefined;
  beforeAll(async () => {
    e2e = await startE2E();
  });
  afterAll(async () => {
    await e2e?.stop();
  });

  it('counts, and says so, when the click lands before the poll is committed', async () => {
    const { emulator } = e2e;
    const alice = emulator.addMember('alice');
    const start = emulator.userRunsCommand(emulator.channelId, alice, 'roundtable', { topic: 'A reading lamp' });
    await emulator.waitFor(() => emulator.interaction(start.id)?.callbacks.length, 5_000, 'the /roundtable answer');
    const thread = await emulator.waitFor(() => emulator.threadsOf(emulator.channelId)[0], 10_000, 'the session thread');
    const personaPosts = () => emulator.messagesIn(thread.id).filter((message) => message.webhookUsername !== undefined);
    await emulator.waitFor(() => (personaPosts().length >= 2 ? true : undefined), 20_000, 'two introductions');

    let click: InteractionRecord | undefined;
    let pollMessageId: string | undefined;
    const stopHolding = emulator.onBotMessageCreated(async (message) => {
      const ids = ((message.json.components ?? []) as { components: { custom_id?: string }[] }[]).flatMap((row) => row.components.map((button) => button.custom_id ?? ''));
      const first = ids.find((id) => id.startsWith('tr:v:'));
      if (!first || click) return;
      pollMessageId = message.json.id as string;
      click = emulator.userClicksButton(thread.id, pollMessageId, alice, first);
      // The bot's post of the poll is still awaiting this answer: its step cannot commit yet.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    });
    emulator.userRunsCommand(thread.id, alice, 'vote', { action: 'open' });
    await emulator.waitFor(() => click, 30_000, 'a click on the poll as it appears');
    stopHolding();
    const clicked = click!;

    // Acknowledged within Discord's 3 seconds, without waiting for the commit.
    const acknowledged = await emulator.waitFor(() => emulator.interaction(clicked.id)?.callbacks[0], 5_000, 'the click acknowledged');
    expect(acknowledged.at - clicked.createdAt).toBeLessThan(3_000);
    const notice = await emulator.waitFor(() => emulator.interactionMessages(clicked.id).find((message) => message.ephemeral), 15_000, "alice's ballot notice");
    expect(String(notice.json.content)).toMatch(/^Your ballot: 1\. /);
    const content = () => String(emulator.state.messages.get(pollMessageId!)?.json.content);
    await emulator.waitFor(() => /1 person has voted/.test(content()) || undefined, 15_000, 'the poll showing the vote');
    expect(content()).toMatch(/` 1` \*\*.+\*\* — \d+ votes? \(1 people,/);
    expect(emulator.rateLimitHits).toBe(0);
    opened = { threadId: thread.id, pollMessageId: pollMessageId! };
  }, 120_000);

  it('acknowledges a click whose work outlasts 3 s, then updates the poll through it', async () => {
    const { emulator } = e2e;
    const { threadId, pollMessageId } = opened!;
    const content = () => String(emulator.state.messages.get(pollMessageId)?.json.content);
    // The core takes 3.2 s over this click (a busy Redis).
    const bob = emulator.addMember('bob');
    const { roundtable } = e2e.app;
    const toggle = roundtable.toggleBallot.bind(roundtable);
    roundtable.toggleBallot = async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 3_200));
      return toggle(...args);
    };
    const message = emulator.state.messages.get(pollMessageId)!;
    const second = ((message.json.components ?? []) as { components: { custom_id: string }[] }[]).flatMap((row) => row.components)[1]!.custom_id;
    const slowClick = emulator.userClicksButton(threadId, pollMessageId, bob, second);
    const slowNotice = await emulator.waitFor(() => emulator.interactionMessages(slowClick.id).find((reply) => reply.ephemeral), 15_000, "bob's ballot notice");
    roundtable.toggleBallot = toggle;
    expect(String(slowNotice.json.content)).toMatch(/^Your ballot: 2\. /);
    const first = emulator.interaction(slowClick.id)!.callbacks[0]!;
    expect(first.type).toBe(6);
    expect(first.at - slowClick.createdAt).toBeLessThan(3_000);
    await emulator.waitFor(() => /2 people have voted/.test(content()) || undefined, 15_000, 'the poll showing both votes');
  }, 120_000);
});
