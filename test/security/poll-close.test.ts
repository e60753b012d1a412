/**
 * A close names its poll, from the click (or the poll open when `/vote close` is typed) to the
 * step: a close that reaches the session after its poll was closed and a new vote opened never
 * closes the newer poll, and says nothing — the poll it named was closed, with its result.
 * Real Redis, real BullMQ, the real step machine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { roundtableReply } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import type { RunningApp } from '../../src/app/start-app.ts';
import { panelsDir } from '../slack-e2e/slack-e2e-harness.ts';

let fake: FakeOpenAI;
let app: RunningApp & { prefix: string };
const adapter = new RecordingAdapter();
const starter = { id: 'starter', displayName: 'Sam' };

beforeAll(async () => {
  fake = await startFakeOpenAI({ chat: roundtableReply });
  app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { AUTO_ROUNDS: 0, PANELS_DIR: panelsDir, DEFAULT_PANEL: 'duo' } });
});
afterAll(async () => {
  await app.stop();
  await fake.close();
  await cleanupRedis(app.prefix);
});

const idle = (sessionId: string) => waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'the session to go idle');

describe('a close names its poll', () => {
  it('a close for a poll closed already never closes the newer one', async () => {
    const { sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'close', thread: 'stale' }, person: starter, topic: 'A lamp' });
    await idle(sessionId);
    const vote = async (options: Record<string, unknown>) => {
      await app.roundtable.submit(sessionId, starter, { type: 'command', name: 'vote', options });
      await idle(sessionId);
    };
    await vote({ action: 'open' });
    const first = (await app.store.poll(sessionId))!;
    expect(first.status).toBe('open');
    await vote({ action: 'close', pollId: first.pollId });
    expect((await app.store.poll(sessionId))?.status).toBe('closed');
    await vote({ action: 'open' });
    const second = (await app.store.poll(sessionId))!;
    expect(second.pollId).not.toBe(first.pollId);
    expect(second.status).toBe('open');

    // A second close of the first poll (a click checked while it was open) reaches the session now.
    const postsBefore = adapter.postsOf(sessionId).length;
    await vote({ action: 'close', pollId: first.pollId });
    expect(await app.store.poll(sessionId)).toMatchObject({ pollId: second.pollId, status: 'open' });
    expect(adapter.postsOf(sessionId).slice(postsBefore)).toEqual([]);

    // Typed, the command refuses a poll that is over at once, and queues nothing.
    const address = { platform: 'terminal' as const, channel: 'close', thread: 'stale' };
    const refused = await app.runCommand({ name: 'vote', options: { action: 'close', pollId: first.pollId }, person: starter, address, sessionId });
    expect(refused.text).toBe('This vote is closed.');
    expect((await app.roundtable.status(sessionId))?.pendingActions).toBe(0);

    // `/vote close` typed closes the poll open now, by its id.
    await app.runCommand({ name: 'vote', options: { action: 'close' }, person: starter, address, sessionId });
    await idle(sessionId);
    expect(await app.store.poll(sessionId)).toMatchObject({ pollId: second.pollId, status: 'closed' });
  });
});
