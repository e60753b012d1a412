/**
 * 20 sessions at once with bursts of people's messages, on real Redis and BullMQ (in-process
 * worker, concurrency 8), against the fake model through the real openai SDK. The fake server
 * is the witness: it counts model calls in flight per session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI, type RecordedRequest } from '../fake-openai/fake-openai-server.ts';
import { chatBody, messageText, roundtableReply } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import type { RunningApp } from '../../src/app/start-app.ts';

const sessionCount = 20;
let fake: FakeOpenAI;
let app: RunningApp & { prefix: string };
const adapter = new RecordingAdapter();
const sessionIds: string[] = [];

/** Every prompt carries its session's tag (`S07`), because replies echo it. */
function tagOf(request: RecordedRequest): string {
  return /\bS\d{2}\b/.exec(messageText(chatBody(request)))?.[0] ?? 'untagged';
}

beforeAll(async () => {
  fake = await startFakeOpenAI({
    chat: (request) => {
      const reply = roundtableReply(request);
      return reply.kind === 'text' ? { ...reply, text: `${reply.text} [${tagOf(request)}]`, chunkDelayMs: 2 } : reply;
    },
    latencyMs: 15,
  });
  app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { WORKER_CONCURRENCY: 8, AUTO_ROUNDS: 1, PANELS_DIR: './prompts/panels' } });
  const person = { id: 'u1', displayName: 'Ana' };
  await Promise.all(
    Array.from({ length: sessionCount }, async (_, index) => {
      const tag = `S${String(index).padStart(2, '0')}`;
      const { sessionId } = await app.roundtable.start({
        address: { platform: 'terminal', channel: 'load', thread: tag },
        person,
        topic: `Session ${tag}: a reading lamp`,
        panel: index % 2 ? 'product-strategy' : 'design-workshop',
      });
      sessionIds.push(sessionId);
      // A burst of five messages as soon as the introductions are under way.
      await waitFor(() => adapter.postsOf(sessionId).length >= 2, `introductions in ${tag}`);
      await Promise.all(Array.from({ length: 5 }, (_, message) => app.roundtable.submit(sessionId, person, { type: 'message', text: `${tag} message ${message}`, images: [] }, `${tag}-m${message}`)));
    }),
  );
  await waitFor(async () => (await Promise.all(sessionIds.map((id) => app.roundtable.isBusy(id)))).every((busy) => !busy), 'every session to go idle', 90_000);
}, 120_000);

afterAll(async () => {
  await app.stop();
  await fake.close();
  await cleanupRedis(app.prefix);
});

describe('20 concurrent sessions', () => {
  it('never has two model calls in flight for one session, while sessions overlap', () => {
    const tags = new Set(fake.chatRequests().map(tagOf));
    expect(tags.has('untagged')).toBe(false);
    expect(tags.size).toBe(sessionCount);
    expect(fake.inFlightPeak(tagOf)).toBe(1);
    expect(fake.inFlightPeak()).toBeGreaterThan(1);
  });

  it('keeps each session’s messages in arrival order and runs every planned turn once', async () => {
    for (const sessionId of sessionIds) {
      const transcript = await app.store.transcript(sessionId);
      const people = transcript.filter((entry) => entry.kind === 'person').map((entry) => entry.text.replace(/^S\d{2} /, ''));
      expect(people).toHaveLength(5);
      const meta = (await app.store.load(sessionId))!;
      const personas = meta.panelId === 'design-workshop' ? 6 : 5;
      // Introductions and one round; plus one reply if the burst landed after the round ended
      // (messages to an idle panel get one reply; during the discussion, the next turns answer).
      const posts = adapter.postsOf(sessionId);
      const speeches = posts.filter((post) => / speaks \(#/.test(post.text)).length;
      expect(speeches).toBeGreaterThanOrEqual(personas * 2);
      expect(speeches).toBeLessThanOrEqual(personas * 2 + 1);
      expect(new Set(posts.map((post) => post.text)).size).toBe(posts.length);
      expect(meta.stage).toBe('paused');
    }
  });
});
