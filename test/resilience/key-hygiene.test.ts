/**
 * Store hygiene after a soak: 200 sessions at once (a short panel, one round, a person's message,
 * then /end), then `SCAN` over every key: each has a TTL or is bounded by construction (the
 * pending-work index, BullMQ's structures); and once the sweeper has run, the pending-work index
 * holds nothing for sessions that have nothing left to do.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { roundtableReply } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import type { RunningApp } from '../../src/app/start-app.ts';
import { panelsDir } from '../slack-e2e/slack-e2e-harness.ts';
import { assertKeysBounded } from '../harness/key-hygiene.ts';
import { PendingSessions } from '../../src/pipeline/pending-sessions.ts';

const sessionCount = 200;
let fake: FakeOpenAI | undefined;
let app: (RunningApp & { prefix: string }) | undefined;

afterAll(async () => {
  await app?.stop();
  await fake?.close();
  if (app) await cleanupRedis(app.prefix);
});

describe(`a soak of ${sessionCount} concurrent sessions`, () => {
  it('leaves only keys with a TTL or a bound, and an empty pending-work index', { timeout: 180_000 }, async () => {
    fake = await startFakeOpenAI({ chat: roundtableReply });
    const adapter = new RecordingAdapter();
    app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { WORKER_CONCURRENCY: 32, AUTO_ROUNDS: 1, PANELS_DIR: panelsDir, DEFAULT_PANEL: 'duo', WORKER_LOCK_MS: 1_000, SWEEPER_INTERVAL_MS: 300 } });
    const running = app;
    const person = { id: 'soaker', displayName: 'Soak' };
    const sessionIds = await Promise.all(
      Array.from({ length: sessionCount }, async (_, index) => (await running.roundtable.start({ address: { platform: 'terminal', channel: 'soak', thread: `t${index}` }, person, topic: `Soak ${index}` })).sessionId),
    );
    const idle = async () => (await Promise.all(sessionIds.map((id) => running.roundtable.isBusy(id)))).every((busy) => !busy);
    await waitFor(idle, 'the rounds', 120_000);
    await Promise.all(sessionIds.map((id, index) => running.roundtable.submit(id, person, { type: 'message', text: `A thought ${index}`, images: [] })));
    await waitFor(idle, 'the replies', 120_000);
    await Promise.all(sessionIds.map((id) => running.roundtable.submit(id, person, { type: 'command', name: 'end', options: {} })));
    // Every session has work now, so the index cannot be empty yet: the check below is not vacuous.
    // (Sampled here, not after the ends: by then a quick sweeper may already have emptied it.)
    const pending = new PendingSessions(running.redis, running.keys);
    expect(await pending.size()).toBeGreaterThan(0);
    await waitFor(async () => (await Promise.all(sessionIds.map((id) => running.store.load(id)))).every((meta) => meta?.status === 'ended'), 'every session ended', 120_000);
    await waitFor(idle, 'the ends', 60_000);

    await assertKeysBounded(running.redis, running.prefix);
    // Marks older than the lock time are checked by the sweeper; ended sessions leave the index.
    await waitFor(async () => (await pending.size()) === 0, 'the sweeper to empty the pending-work index', 10_000);
  });
});
