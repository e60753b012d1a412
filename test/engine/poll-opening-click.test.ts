/**
 * A click on a poll whose message is up but whose opening step has not committed it yet (the
 * step posts the poll, then commits): through the real pipeline on real Redis, the click waits for
 * the commit and counts — it is not told the vote is no longer current — and the status names the
 * poll being opened. A click on a poll that is neither open nor being opened is still refused.
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

/** Holds the poll's first post (the message is "up") until the test lets the step go on to its commit. */
class HeldPollAdapter extends RecordingAdapter {
  posted?: PollView;
  private release?: () => void;
  readonly held = new Promise<void>((resolve) => (this.release = resolve));
  go(): void {
    this.release?.();
  }
  override async showPoll(poll: PollView, existingMessageId: string | undefined): Promise<string> {
    const ref = await super.showPoll(poll, existingMessageId);
    if (existingMessageId === undefined && !this.posted) {
      this.posted = poll;
      await this.held;
    }
    return ref;
  }
}

let fake: FakeOpenAI;
let app: RunningApp & { prefix: string };
const adapter = new HeldPollAdapter();
const alice = { id: 'alice', displayName: 'Alice' };
let sessionId: string;

beforeAll(async () => {
  fake = await startFakeOpenAI({ chat: roundtableReply });
  app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { PANELS_DIR: panelsDir, DEFAULT_PANEL: 'duo' } });
  ({ sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'poll-opening' }, person: alice, topic: 'A reading lamp', rounds: 1 }));
  await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'the opening and one round', 60_000);
});

afterAll(async () => {
  adapter.go();
  await app?.stop();
  await fake?.close();
  if (app) await cleanupRedis(app.prefix);
});

describe('a click on a poll being opened', () => {
  it('waits for the opening step to commit the poll, then counts', async () => {
    await app.roundtable.submit(sessionId, alice, { type: 'command', name: 'vote', options: { action: 'open' } });
    await waitFor(() => adapter.posted !== undefined, 'the poll message', 30_000);
    const posted = adapter.posted!;
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
    adapter.go();

    const result = await click;
    expect(result.outcome).toBe('applied');
    expect(result.poll?.pollId).toBe(posted.pollId);
    expect(result.poll?.peopleVoters).toBe(1);
    expect(result.poll?.candidates[0]?.peopleVotes).toBe(1);
    expect((await app.store.ballots(sessionId))['person:alice']?.choices).toEqual([0]);
  });

  it('refuses at once a click on a poll that is neither open nor being opened', async () => {
    const startedAt = Date.now();
    const refusal = await app.roundtable.toggleBallot(sessionId, alice, 'p7', 0).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(TableRoundError);
    expect((refusal as TableRoundError).code).toBe('no_poll');
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });
});
