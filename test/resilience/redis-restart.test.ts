/**
 * Redis restarted (AOF everysec) in the middle of a session: while it is down, people are told at
 * once instead of being left waiting; when it is back, the workers and the gateway reconnect on
 * their own and the session continues with nothing acknowledged lost and nothing posted twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { roundtableReply } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { startTestApp, waitFor } from '../harness/test-app.ts';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../src/store/embedded-redis.ts';
import { TableRoundError } from '../../src/errors.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'tr-redis-restart-'));
let redis: EmbeddedRedis | undefined;
afterAll(async () => {
  await redis?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Redis restart mid-session', () => {
  it('tells the person while Redis is down, then continues where it was', async () => {
    redis = await startEmbeddedRedis({ dataDir, persistent: true });
    const port = redis.port;
    const fake = await startFakeOpenAI({
      chat: (request) => {
        const reply = roundtableReply(request);
        return reply.kind === 'text' ? { ...reply, chunkSize: 6, chunkDelayMs: 15 } : reply;
      },
    });
    const adapter = new RecordingAdapter();
    const app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { REDIS_URL: redis.url, AUTO_ROUNDS: 1, WORKER_LOCK_MS: 2_000 } });
    const person = { id: 'u', displayName: 'Ana' };
    const { sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'outage' }, person, topic: 'Outage' });
    await waitFor(() => adapter.posts.length >= 3, 'the first posts');
    await app.roundtable.submit(sessionId, person, { type: 'message', text: 'Acknowledged before the outage', images: [] });

    await redis.stop();
    const started = Date.now();
    const failure = await app.roundtable.submit(sessionId, person, { type: 'message', text: 'during the outage', images: [] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TableRoundError);
    expect((failure as TableRoundError).code).toBe('redis_unavailable');
    expect((failure as TableRoundError).publicMessage).toMatch(/memory store is unreachable/);
    expect(Date.now() - started).toBeLessThan(2_000);

    await new Promise((resolve) => setTimeout(resolve, 1_000));
    redis = await startEmbeddedRedis({ dataDir, persistent: true, port });
    await waitFor(async () => (await app.roundtable.isBusy(sessionId).catch(() => true)) === false, 'the session to finish after the restart', 60_000);

    const transcript = await app.store.transcript(sessionId);
    expect(transcript.filter((entry) => entry.kind === 'person').map((entry) => entry.text)).toEqual(['Acknowledged before the outage']);
    const texts = adapter.postsOf(sessionId).map((post) => post.text);
    expect(new Set(texts).size).toBe(texts.length);
    expect(adapter.postsOf(sessionId).filter((post) => post.speaker !== 'moderator')).toHaveLength(12);
    expect(texts.at(-1)).toMatch(/^\*\*Pause\.\*\*/);
    await app.stop();
    await fake.close();
  });
});
