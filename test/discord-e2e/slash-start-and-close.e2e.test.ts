/**
 * The other ways in and out: `/roundtable topic:` typed in a channel opens the session thread,
 * and the poll's Close button is refused for a stranger and closes the vote for the starter,
 * with the result and its chart posted into the thread.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E, type E2E, pollMessageIn } from './e2e-harness.ts';

describe('Discord end to end: /roundtable and the Close button', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E();
  });
  afterAll(async () => {
    await e2e?.stop();
  });

  it('starts from the slash command and closes the vote with the button', async () => {
    const { emulator } = e2e;
    const alice = emulator.addMember('alice');
    const bob = emulator.addMember('bob');
    const start = emulator.userRunsCommand(emulator.channelId, alice, 'roundtable', { topic: 'A folding stool for balconies' });
    await emulator.waitFor(() => emulator.interaction(start.id)?.callbacks.length, 5_000, 'the /roundtable answer');
    const thread = await emulator.waitFor(() => emulator.threadsOf(emulator.channelId)[0], 10_000, 'the session thread');
    expect(thread.name).toBe('A folding stool for balconies');
    const personaPosts = () => emulator.messagesIn(thread.id).filter((message) => message.webhookUsername !== undefined);
    await emulator.waitFor(() => (personaPosts().length >= 2 ? true : undefined), 20_000, 'two introductions');

    emulator.userRunsCommand(thread.id, alice, 'vote', { action: 'open' });
    const pollMessage = await emulator.waitFor(
      () => pollMessageIn(emulator, thread.id),
      30_000,
      'the poll message',
    );
    const buttons = (pollMessage.json.components as { components: { custom_id: string }[] }[]).flatMap((row) => row.components);
    const close = buttons.find((button) => button.custom_id.startsWith('tr:x:'))?.custom_id ?? '';
    expect(close).not.toBe('');
    // Wait for the panel's own ballots, so the tally has voters.
    await emulator.waitFor(() => /2 panel ballots/.test(String(emulator.state.messages.get(pollMessage.json.id as string)?.json.content)) || undefined, 30_000, 'the panel ballots');

    const strangerClick = emulator.userClicksButton(thread.id, pollMessage.json.id as string, bob, close);
    const refusal = await emulator.waitFor(() => emulator.interactionMessages(strangerClick.id).find((message) => message.ephemeral), 5_000, 'the refusal');
    expect(String(refusal.json.content)).toMatch(/Only the person who started this roundtable, or someone with Manage Threads, can close the vote/);

    emulator.userClicksButton(thread.id, pollMessage.json.id as string, alice, close);
    const result = await emulator.waitFor(() => emulator.messagesIn(thread.id).find((message) => /\*\*Vote closed\.\*\*/.test(String(message.json.content))), 30_000, 'the vote result');
    const attachments = result.json.attachments as { filename: string }[];
    expect(attachments.some((attachment) => /^vote-.*\.png$/.test(attachment.filename))).toBe(true);
    expect(emulator.rateLimitHits).toBe(0);
  }, 120_000);
});
