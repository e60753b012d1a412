/**
 * Ballots name their poll, and concept images cost budget.
 * - A ballot for a poll that has closed is refused with a short answer and never carried, by
 *   index, into the next poll; a ballot with no vote open is refused once.
 * - /imagine: who may ask is configurable (the starter by default), each image is charged to the
 *   session and to the person who asked, a session has a cap, and /status shows the count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { roundtableReply } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import type { RunningApp } from '../../src/app/start-app.ts';
import { panelsDir } from '../slack-e2e/slack-e2e-harness.ts';
import { describeForPerson } from '../../src/engine/describe-error.ts';
import { asTableRoundError } from '../../src/errors.ts';
import { formatStatus } from '../../commands/status.ts';

let fake: FakeOpenAI;
let app: RunningApp & { prefix: string };
const adapter = new RecordingAdapter();
const starter = { id: 'starter', displayName: 'Sam' };
const stranger = { id: 'stranger', displayName: 'Eve' };
const answer = (promise: Promise<unknown>) => promise.then((result) => (result as { notice?: string }).notice ?? 'ok', (error: unknown) => describeForPerson(asTableRoundError(error)));

beforeAll(async () => {
  fake = await startFakeOpenAI({ chat: roundtableReply });
  app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { AUTO_ROUNDS: 0, PANELS_DIR: panelsDir, DEFAULT_PANEL: 'duo', IMAGE_COUNT: 2, SESSION_IMAGE_LIMIT: 4, IMAGE_TOKEN_COST: 1_000 } });
});
afterAll(async () => {
  await app.stop();
  await fake.close();
  await cleanupRedis(app.prefix);
});

const idle = (sessionId: string) => waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'the session to go idle');

describe('ballots', () => {
  it('a ballot for a closed poll is refused, never counted in the next one', async () => {
    const { sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'b', thread: 'polls' }, person: starter, topic: 'A lamp' });
    await idle(sessionId);
    expect(await answer(app.roundtable.submit(sessionId, starter, { type: 'ballot', choices: [0] }))).toBe('There is no open vote to take your ballot.');

    await app.roundtable.submit(sessionId, starter, { type: 'command', name: 'vote', options: { action: 'open' } });
    await idle(sessionId);
    const first = (await app.store.poll(sessionId))!;
    expect(await answer(app.roundtable.submit(sessionId, starter, { type: 'ballot', choices: [0], pollId: first.pollId }))).toMatch(/^Your ballot: /);
    await app.roundtable.submit(sessionId, starter, { type: 'command', name: 'vote', options: { action: 'close' } });
    await idle(sessionId);

    await app.roundtable.submit(sessionId, starter, { type: 'command', name: 'vote', options: { action: 'open' } });
    await idle(sessionId);
    const second = (await app.store.poll(sessionId))!;
    expect(second.pollId).not.toBe(first.pollId);
    // A late click on the first poll's message.
    expect(await answer(app.roundtable.submit(sessionId, stranger, { type: 'ballot', choices: [1], pollId: first.pollId }))).toBe('That vote has closed; your ballot was not counted.');
    expect(Object.keys(await app.store.ballots(sessionId)).filter((voter) => voter.startsWith('person:'))).toEqual([]);
  });
});

describe('concept images', () => {
  it('are the starter’s to ask for, charged per image, capped per session, and counted in /status', async () => {
    const { sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'b', thread: 'images' }, person: starter, topic: 'A lamp' });
    await idle(sessionId);
    expect(await answer(app.roundtable.submit(sessionId, stranger, { type: 'command', name: 'imagine', options: { prompt: 'red' } }))).toMatch(/Only the person who started this roundtable/);

    const before = (await app.store.load(sessionId))!;
    const spentBefore = await app.store.userSpend('terminal', starter.id);
    await app.roundtable.submit(sessionId, starter, { type: 'command', name: 'imagine', options: { prompt: 'red' } });
    await idle(sessionId);
    const after = (await app.store.load(sessionId))!;
    expect(after.imagesGenerated).toBe(2);
    expect(after.tokensCompletion - before.tokensCompletion).toBe(2_000);
    expect((await app.store.userSpend('terminal', starter.id)) - spentBefore).toBe(2_000);

    await app.roundtable.submit(sessionId, starter, { type: 'command', name: 'imagine', options: { prompt: 'blue' } });
    await idle(sessionId);
    expect(await answer(app.roundtable.submit(sessionId, starter, { type: 'command', name: 'imagine', options: { prompt: 'green' } }))).toMatch(/used its 4 concept images/);
    expect(fake.imageRequests()).toHaveLength(2);
    expect(formatStatus((await app.roundtable.status(sessionId))!)).toContain('Concept images: 4 of 4');
  });
});
