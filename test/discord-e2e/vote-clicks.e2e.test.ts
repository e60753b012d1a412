/**
 * Vote clicks are cheap: each click's own interaction updates the poll message (free), and the
 * poll publisher coalesces the remaining refreshes, so sixty clicks from six people cost a handful
 * of paced REST edits of the poll — not sixty — and never a 429. The message ends up showing the
 * final tally.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E, type E2E, pollMessageIn } from './e2e-harness.ts';

describe('Discord end to end: a burst of vote clicks', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E();
  });
  afterAll(async () => {
    await e2e?.stop();
  });

  it('answers sixty clicks with their own interactions and at most a few REST edits of the poll', async () => {
    const { emulator } = e2e;
    const alice = emulator.addMember('alice');
    const bo = emulator.addMember('bo');
    const people = [alice, bo, ...['cy', 'di', 'ed', 'fa'].map((name) => emulator.addMember(name))];
    const start = emulator.userRunsCommand(emulator.channelId, alice, 'roundtable', { topic: 'A reading lamp' });
    await emulator.waitFor(() => emulator.interaction(start.id)?.callbacks.length, 5_000, 'the /roundtable answer');
    const thread = await emulator.waitFor(() => emulator.threadsOf(emulator.channelId)[0], 10_000, 'the session thread');
    const personaPosts = () => emulator.messagesIn(thread.id).filter((message) => message.webhookUsername !== undefined);
    await emulator.waitFor(() => (personaPosts().length >= 2 ? true : undefined), 20_000, 'two introductions');

    emulator.userRunsCommand(thread.id, alice, 'vote', { action: 'open' });
    const pollMessage = await emulator.waitFor(
      () => pollMessageIn(emulator, thread.id),
      30_000,
      'the poll message',
    );
    const pollId = pollMessage.json.id as string;
    const content = () => String(emulator.state.messages.get(pollId)?.json.content);
    await emulator.waitFor(() => /2 panel ballots/.test(content()) || undefined, 30_000, 'the panel ballots');
    const buttons = (pollMessage.json.components as { components: { custom_id: string }[] }[]).flatMap((row) => row.components);
    const candidates = buttons.filter((button) => !button.custom_id.startsWith('tr:x:')).map((button) => button.custom_id);
    expect(candidates.length).toBeGreaterThanOrEqual(2);

    const restEditsOfPoll = () => emulator.stats.requests.filter((request) => request.method === 'PATCH' && request.path.endsWith(`/messages/${pollId}`)).length;
    const editsBefore = restEditsOfPoll();
    const first = candidates[0] ?? '';
    const clicks: ReturnType<typeof emulator.userClicksButton>[] = [];
    // Sixty clicks: each person toggles the first candidate ten times (ending unpicked)… except
    // alice and bo, who click it an odd number of times and end with it picked.
    for (let round = 0; round < 10; round += 1) {
      for (const person of people) clicks.push(emulator.userClicksButton(thread.id, pollId, person, first));
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    clicks.push(emulator.userClicksButton(thread.id, pollId, alice, first));
    clicks.push(emulator.userClicksButton(thread.id, pollId, bo, first));
    await emulator.waitFor(() => (clicks.every((click) => (emulator.interaction(click.id)?.callbacks.length ?? 0) > 0) ? true : undefined), 30_000, 'every click answered');
    await emulator.waitFor(() => /2 people have voted/.test(content()) || undefined, 15_000, 'the final tally on the poll');
    // Let any coalesced refresh run.
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    const updates = clicks.filter((click) => emulator.interaction(click.id)?.callbacks.some((callback) => callback.type === 7)).length;
    expect(updates).toBeGreaterThan(50);
    expect(restEditsOfPoll() - editsBefore).toBeLessThanOrEqual(3);
    expect(content()).toMatch(/2 people have voted/);
    expect(emulator.rateLimitHits).toBe(0);
  }, 120_000);
});
