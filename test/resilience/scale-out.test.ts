/**
 * Scale-out: a gateway and two worker processes on one Redis. The workers share the sessions'
 * steps, one model call at most is in flight per session across both, and each session's
 * events keep their order.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type RecordedRequest } from '../fake-openai/fake-openai-server.ts';
import { chatBody, messageText, roundtableReply } from '../harness/roundtable-model.ts';
import { SinkAdapter, startSink } from '../harness/sink-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import { testRedisUrl, uniqueName } from '../harness/redis.ts';

const prefix = uniqueName('scale');
const queueName = uniqueName('q');
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await cleanupRedis(prefix);
});

const tagOf = (request: RecordedRequest) => /\bK\d{2}\b/.exec(messageText(chatBody(request)))?.[0] ?? 'untagged';

describe('ROLE=gateway + two ROLE=worker processes', () => {
  it('share the work while each session stays serial and ordered', async () => {
    const fake = await startFakeOpenAI({
      chat: (request) => {
        const reply = roundtableReply(request);
        return reply.kind === 'text' ? { ...reply, text: `${reply.text} [${tagOf(request)}]`, chunkDelayMs: 3 } : reply;
      },
      latencyMs: 10,
    });
    const sink = await startSink();
    const env = { REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: prefix, QUEUE_NAME: queueName, OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test', SINK_URL: sink.url, LOG_LEVEL: 'error', WORKER_CONCURRENCY: '4' };
    for (let index = 0; index < 2; index++) {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/harness/worker-process.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      await new Promise<void>((resolve) => child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('worker ready') && resolve()));
    }
    const gateway = await startTestApp({ modelUrl: fake.url, adapters: [new SinkAdapter(sink.url)], prefix, queueName, env: { ROLE: 'gateway', AUTO_ROUNDS: 1 } });
    const person = { id: 'p', displayName: 'Pat' };
    const sessionIds = await Promise.all(
      Array.from({ length: 10 }, async (_, index) => {
        const tag = `K${String(index).padStart(2, '0')}`;
        const { sessionId } = await gateway.roundtable.start({ address: { platform: 'terminal', channel: 'scale', thread: tag }, person, topic: `${tag} scaling`, panel: 'product-strategy' });
        for (let message = 0; message < 3; message++) await gateway.roundtable.submit(sessionId, person, { type: 'message', text: `${tag} note ${message}`, images: [] });
        return sessionId;
      }),
    );
    await waitFor(async () => (await Promise.all(sessionIds.map((id) => gateway.roundtable.isBusy(id)))).every((busy) => !busy), 'all sessions to finish', 90_000);

    expect(fake.inFlightPeak(tagOf)).toBe(1);
    expect(new Set(sink.posts.map((post) => post.pid)).size).toBe(2);
    for (const sessionId of sessionIds) {
      const transcript = await gateway.store.transcript(sessionId);
      const notes = transcript.filter((entry) => entry.kind === 'person').map((entry) => entry.text.slice(4));
      expect(notes).toEqual(['note 0', 'note 1', 'note 2']);
      expect(transcript.filter((entry) => entry.kind === 'persona')).toHaveLength(10);
    }
    await gateway.stop();
    await sink.close();
    await fake.close();
  });
});
