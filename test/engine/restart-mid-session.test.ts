/**
 * Stop the bot in the middle of a session and start a new one on the same Redis: the session
 * continues where it was, every step posts exactly once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { roundtableReply } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import { uniqueName } from '../harness/redis.ts';

const prefix = uniqueName('restart');
afterAll(() => cleanupRedis(prefix));

describe('restart mid-session', () => {
  it('continues the session after a stop and a new start, posting each step once', async () => {
    const fake = await startFakeOpenAI({
      chat: (request) => {
        const reply = roundtableReply(request);
        return reply.kind === 'text' ? { ...reply, chunkDelayMs: 10 } : reply;
      },
    });
    const queueName = uniqueName('q');
    const adapter = new RecordingAdapter();
    const first = await startTestApp({ modelUrl: fake.url, adapters: [adapter], prefix, queueName, env: { AUTO_ROUNDS: 1 } });
    const { sessionId } = await first.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'restart' }, person: { id: 'u', displayName: 'Ana' }, topic: 'Restart me' });
    await waitFor(() => adapter.posts.length >= 4, 'a few posts before the stop');
    await first.stop();
    const postsAtStop = adapter.posts.length;
    const metaAtStop = await (async () => {
      const again = await startTestApp({ modelUrl: fake.url, adapters: [adapter], prefix, queueName, env: { AUTO_ROUNDS: 1, ROLE: 'gateway' } });
      const meta = await again.store.load(sessionId);
      await again.stop();
      return meta!;
    })();
    expect(metaAtStop.status).toBe('active');
    expect(metaAtStop.agenda.length).toBeGreaterThan(0);
    // No worker ran in between: nothing was posted while the bot was down.
    expect(adapter.posts.length).toBe(postsAtStop);

    const second = await startTestApp({ modelUrl: fake.url, adapters: [adapter], prefix, queueName, env: { AUTO_ROUNDS: 1 } });
    await waitFor(async () => !(await second.roundtable.isBusy(sessionId)), 'the session to finish its plan', 60_000);
    const texts = adapter.postsOf(sessionId).map((post) => post.text);
    expect(new Set(texts).size).toBe(texts.length);
    expect(adapter.postsOf(sessionId).filter((post) => post.speaker !== 'moderator')).toHaveLength(12);
    expect(texts.at(-1)).toMatch(/^\*\*Pause\.\*\*/);
    expect((await second.store.load(sessionId))?.stage).toBe('paused');
    await second.stop();
    await fake.close();
  });
});
