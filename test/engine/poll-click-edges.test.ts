/**
 * Clicks at the two edges of a poll, through the real pipeline on real Redis:
 * - on a poll whose message is up but whose opening step has not committed it yet (the step
 *   posts the poll, then commits): the click waits for the commit and counts — it is not told the
 *   vote is no longer current — the status names the poll being opened, and a close naming that
 *   poll (Slack's Close button runs `vote close` with it) is planned after it, not refused;
 * - on a poll whose close has begun (the result being counted and shown, not committed yet): the
 *   click is refused, so nobody is told "counted" and then left out of the result.
 * A click on a poll neither open nor being opened is refused at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { roundtableReply } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import { panelsDir } from '../slack-e2e/slack-e2e-harness.ts';
import type { RunningApp } from '../../src/app/start-app.ts';
import type { PollView } from '../../src/adapter/chat-adapter.ts';
import { TableRoundError } from '../../src/errors.ts';

interface Gate {
  when: (poll: PollView, existingMessageId: string | undefined) => boolean;
  reached?: PollView;
  release: () => void;
  opened: Promise<void>;
}

/** Holds the first poll write a test names (the message is shown) until the test lets the step go on. */
class HeldPollAdapter extends RecordingAdapter {
  private gate?: Gate;
  hold(when: Gate['when']): Gate {
    let release = () => {};
    const opened = new Promise<void>((resolve) => (release = resolve));
    this.gate = { when, release, opened };
    return this.gate;
  }
  override async showPoll(poll: PollView, existingMessageId: string | undefined): Promise<string> {
    const ref = await super.showPoll(poll, existingMessageId);
    const gate = this.gate;
    if (gate && !gate.reached && gate.when(poll, existingMessageId)) {
      gate.reached = poll;
      await gate.opened;
    }
    return ref;
  }
}

let fake: FakeOpenAI;
let app: RunningApp & { prefix: string };
const adapter = new HeldPollAdapter();
const alice = { id: 'alice', displayName: 'Alice' };
const bob = { id: 'bob', displayName: 'Bob' };
const address = { platform: 'terminal' as const, channel: 'c', thread: 'poll-edges' };
let sessionId: string;
const refusalOf = (work: Promise<unknown>) => work.then(() => undefined, (error: unknown) => error);
const closeVote = (pollId?: string) => app.runCommand({ name: 'vote', options: { action: 'close', ...(pollId ? { pollId } : {}) }, person: alice, address, sessionId });
const pollClosed = (pollId: string) => waitFor(async () => (await app.store.poll(sessionId))?.pollId === pollId && (await app.store.poll(sessionId))?.status === 'closed', `poll ${pollId} closed`, 30_000);

beforeAll(async () => {
  fake = await startFakeOpenAI({ chat: roundtableReply });
  app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { PANELS_DIR: panelsDir, DEFAULT_PANEL: 'duo' } });
  ({ sessionId } = await app.roundtable.start({ address, person: alice, topic: 'A reading lamp', rounds: 1 }));
  await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'the opening and one round', 60_000);
});

afterAll(async () => {
  await app?.stop();
  await fake?.close();
  if (app) await cleanupRedis(app.prefix);
});

describe('a click on a poll being opened', () => {
  it('waits for the opening step to commit the poll, then counts', async () => {
    const gate = adapter.hold((_poll, existing) => existing === undefined);
    await app.roundtable.submit(sessionId, alice, { type: 'command', name: 'vote', options: { action: 'open' } });
    await waitFor(() => gate.reached !== undefined, 'the poll message', 30_000);
    const posted = gate.reached!;
    // The message is up; the poll is not in the store yet.
    expect(await app.store.poll(sessionId)).toBeUndefined();
    const status = await app.roundtable.status(sessionId);
    expect(status?.poll).toBeUndefined();
    expect(status?.openingPollId).toBe(posted.pollId);

    const click = app.roundtable.toggleBallot(sessionId, alice, posted.pollId, 0);
    let settled = false;
    void click.finally(() => (settled = true)).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(settled).toBe(false);
    gate.release();

    const result = await click;
    expect(result.outcome).toBe('applied');
    expect(result.poll?.pollId).toBe(posted.pollId);
    expect(result.poll?.peopleVoters).toBe(1);
    expect(result.poll?.candidates.find((candidate) => candidate.index === 0)?.peopleVotes).toBe(1);
    expect((await app.store.ballots(sessionId))['person:alice']?.choices).toEqual([0]);

    await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'the panel ballots', 30_000);
    await closeVote();
    await pollClosed(posted.pollId);
    const shown = adapter.polls.at(-1);
    expect(shown?.status).toBe('closed');
    expect(shown?.peopleVoters).toBe(1);
  });

  it('plans a close naming it after it opens, and that close closes it', async () => {
    await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'the first vote closed', 30_000);
    const gate = adapter.hold((_poll, existing) => existing === undefined);
    await app.roundtable.submit(sessionId, alice, { type: 'command', name: 'vote', options: { action: 'open' } });
    await waitFor(() => gate.reached !== undefined, 'the second poll message', 30_000);
    const posted = gate.reached!;
    expect(posted.pollId).toBe('p2');
    const close = await closeVote(posted.pollId);
    expect(close.text).toBe('Closing the vote…');
    gate.release();
    await pollClosed(posted.pollId);
    expect(adapter.polls.at(-1)?.pollId).toBe('p2');
    expect(adapter.polls.at(-1)?.status).toBe('closed');
  });
});

describe('a click on a poll being closed', () => {
  it('is refused once the close has begun, and is not in the store', async () => {
    await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'the second vote closed', 30_000);
    await app.roundtable.submit(sessionId, alice, { type: 'command', name: 'vote', options: { action: 'open' } });
    await waitFor(async () => (await app.store.poll(sessionId))?.pollId === 'p3' && !(await app.roundtable.isBusy(sessionId)), 'the third poll open', 30_000);
    // The close step shows the result, then commits: held while showing it.
    const gate = adapter.hold((poll, existing) => existing !== undefined && poll.status === 'closed');
    await closeVote();
    await waitFor(() => gate.reached !== undefined, 'the result being shown', 30_000);
    expect(gate.reached?.peopleVoters).toBe(0);

    const refusal = await refusalOf(app.roundtable.toggleBallot(sessionId, bob, 'p3', 0));
    expect(refusal).toBeInstanceOf(TableRoundError);
    expect((refusal as TableRoundError).code).toBe('no_poll');
    const typed = await refusalOf(app.roundtable.submit(sessionId, bob, { type: 'ballot', choices: [1], pollId: 'p3' }));
    expect((typed as TableRoundError).code).toBe('no_poll');
    expect((await app.store.ballots(sessionId))['person:bob']).toBeUndefined();
    gate.release();
    await pollClosed('p3');
  });
});

describe('a click on another poll', () => {
  it('is refused at once', async () => {
    const startedAt = Date.now();
    const refusal = await refusalOf(app.roundtable.toggleBallot(sessionId, alice, 'p9', 0));
    expect(refusal).toBeInstanceOf(TableRoundError);
    expect((refusal as TableRoundError).code).toBe('no_poll');
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });
});
