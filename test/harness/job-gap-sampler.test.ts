/**
 * The liveness sampler of the crash and fault tests measures what they claim: a session with
 * pending work whose job is gone shows a gap that grows for as long as it stays so — also when
 * the pending index is no help (the sweeper keeps a session's entry fresh when its job looks
 * live, and a session may have left the index) — and a session whose job waits shows none.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { roundtableReply } from './roundtable-model.ts';
import { RecordingAdapter } from './recording-adapter.ts';
import { cleanupRedis, startTestApp } from './test-app.ts';
import { uniqueName } from './redis.ts';
import { panelsDir } from '../slack-e2e/slack-e2e-harness.ts';
import type { RunningApp } from '../../src/app/start-app.ts';
import { PendingSessions } from '../../src/pipeline/pending-sessions.ts';
import { stepJobId } from '../../src/pipeline/step-queue.ts';
import { startJobGapSampler } from './job-gap-sampler.ts';

const prefix = uniqueName('gaps');
let app: RunningApp | undefined;
let fake: FakeOpenAI | undefined;
afterAll(async () => {
  await app?.stop();
  await fake?.close();
  await cleanupRedis(prefix);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the job-gap sampler', () => {
  it('sees a session whose job vanished, for as long as it has none, and not one whose job waits', { timeout: 30_000 }, async () => {
    fake = await startFakeOpenAI({ chat: roundtableReply });
    // A gateway only: no worker takes the jobs and no sweeper repairs anything.
    app = await startTestApp({ modelUrl: fake.url, adapters: [new RecordingAdapter()], prefix, env: { PANELS_DIR: panelsDir, DEFAULT_PANEL: 'duo', AUTO_ROUNDS: 0, ROLE: 'gateway' } });
    const person = { id: 'p', displayName: 'Pia' };
    const start = (thread: string) => app!.roundtable.start({ address: { platform: 'terminal', channel: 'gaps', thread }, person, topic: 'A sampler test' }).then((started) => started.sessionId);
    const waiting = await start('waiting');
    const stuck = await start('stuck');

    const sampler = startJobGapSampler(app, { intervalMs: 100 });
    await sleep(400);
    // The stuck session's job vanishes, and the pending-index entries are kept fresh (as the
    // sweeper does for jobs that look live: the index's oldest age stays small) — then its entry
    // is dropped: the sampler reads the sessions themselves.
    const work = await app.store.pendingWork(stuck);
    await app.queue.queue.remove(stepJobId(stuck, work.seq, work.epoch));
    const pending = new PendingSessions(app.redis, app.keys);
    for (let index = 0; index < 6; index += 1) {
      await Promise.all([pending.refresh(stuck), pending.refresh(waiting)]);
      await sleep(100);
    }
    expect(await pending.oldestAge()).toBeLessThan(500);
    await app.redis.zrem(app.keys.pendingSessions(), stuck);
    await sleep(600);
    const report = await sampler.stop();

    expect(report.longestSession).toBe(stuck);
    expect(report.longestState).toMatch(/^unknown/);
    expect(report.longestMs).toBeGreaterThan(900);
    expect(report.longestMs).toBeLessThan(1_800);
    expect(report.sessionsWithWork).toBe(2);
    expect(await app.queue.jobState(waiting, 0, 0)).toBe('waiting');
  });
});
