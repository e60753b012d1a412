/**
 * The bot on Redis through Sentinel (test/harness/redis-sentinel.ts): it finds the master by name,
 * runs a session, and goes on after Sentinel fails the master over to its replica mid-session —
 * the old master is demoted (writes to it are refused READONLY) and the bot reconnects to the new.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { roundtableReply } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { startTestApp, waitFor } from '../harness/test-app.ts';
import { startLocalSentinel, type LocalSentinel } from '../harness/redis-sentinel.ts';
import type { RunningApp } from '../../src/app/start-app.ts';

let sentinel: LocalSentinel;
let fake: FakeOpenAI;
let app: RunningApp | undefined;

beforeAll(async () => {
  sentinel = await startLocalSentinel('tableround');
  fake = await startFakeOpenAI({ chat: roundtableReply });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await fake?.close();
  await sentinel?.stop();
});

describe('through Redis Sentinel', () => {
  it('runs a session, and goes on after a failover to the replica', { timeout: 120_000 }, async () => {
    const adapter = new RecordingAdapter();
    app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { REDIS_URL: undefined, REDIS_SENTINELS: sentinel.sentinels, REDIS_SENTINEL_MASTER: sentinel.master, AUTO_ROUNDS: 0, SWEEPER_INTERVAL_MS: 500 } });
    const running = app;
    const person = { id: 'u1', displayName: 'Ana' };
    const { sessionId } = await running.roundtable.start({ address: { platform: 'terminal', channel: 'sentinel', thread: 'one' }, person, topic: 'A lamp for reading in bed' });
    const idle = (what: string) => waitFor(async () => !(await running.roundtable.isBusy(sessionId)), what, 60_000);
    await idle('the introductions');
    const before = adapter.postsOf(sessionId).filter((post) => post.speaker !== 'moderator').length;
    expect(before).toBeGreaterThanOrEqual(6);
    const oldMaster = await sentinel.masterPort();

    await sentinel.failover();
    expect(await sentinel.masterPort()).not.toBe(oldMaster);
    // A person writes after the failover: the submit may meet the demoted master once (a short,
    // true "try again" for the person), and is taken once the bot has reconnected.
    await waitFor(
      async () => {
        try {
          await running.roundtable.submit(sessionId, person, { type: 'message', text: 'Is felt fireproof enough?', images: [] });
          return true;
        } catch {
          return false;
        }
      },
      'a message to be taken after the failover',
      30_000,
    );
    await waitFor(async () => adapter.postsOf(sessionId).filter((post) => post.speaker !== 'moderator').length > before, 'an answer after the failover', 60_000);
    await idle('the answer to finish');
    expect(adapter.postsOf(sessionId).filter((post) => /skipp/i.test(post.text))).toEqual([]);
    // The session lives on the new master.
    expect((await running.store.load(sessionId))?.status).toBe('active');
  });
});
