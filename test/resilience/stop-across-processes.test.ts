/**
 * `/stop` taken by a gateway process reaches the worker process that runs the session's step
 * (Redis pub/sub, pipeline/stop-signals.ts): the model request in flight in the worker is aborted
 * within 2 s, the turn it was writing is never posted, no further persona post starts, and the
 * moderator (posted by the worker) names who stopped the panel.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type RecordedRequest } from '../fake-openai/fake-openai-server.ts';
import { chatBody, messageText, roundtableReply } from '../harness/roundtable-model.ts';
import { SinkAdapter, startSink } from '../harness/sink-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import { testRedisUrl, uniqueName } from '../harness/redis.ts';

const prefix = uniqueName('stopx');
const queueName = uniqueName('q');
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await cleanupRedis(prefix);
});

const isRoundTurn = (request: RecordedRequest) => /It is round \d+ of the discussion/.test(messageText(chatBody(request)));

describe('/stop across processes', () => {
  it('a gateway stops the stream running in a worker process', async () => {
    const fake = await startFakeOpenAI({
      chat: (request) => {
        const reply = roundtableReply(request);
        if (reply.kind !== 'text' || !isRoundTurn(request)) return reply;
        return { ...reply, text: `${reply.text} ${'More words about felt and warm light. '.repeat(40)}`, chunkSize: 6, chunkDelayMs: 60 };
      },
    });
    const sink = await startSink();
    const env = { REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: prefix, QUEUE_NAME: queueName, OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test', SINK_URL: sink.url, LOG_LEVEL: 'error', AUTO_ROUNDS: '0' };
    const worker = spawn(process.execPath, ['--import', 'tsx', 'test/harness/worker-process.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(worker);
    await new Promise<void>((resolve, reject) => {
      worker.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('worker ready') && resolve());
      worker.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    });
    const gateway = await startTestApp({ modelUrl: fake.url, adapters: [new SinkAdapter(sink.url)], prefix, queueName, env: { ROLE: 'gateway', AUTO_ROUNDS: 0 } });
    const starter = { id: 'u1', displayName: 'Ana' };
    const address = { platform: 'terminal' as const, channel: 'c', thread: 'stop-across' };
    const { sessionId } = await gateway.roundtable.start({ address, person: starter, topic: 'Stopping across processes', rounds: 1 });

    await waitFor(() => fake.chatRequests().filter(isRoundTurn).length === 1, 'the first round turn to stream in the worker', 60_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const postsBefore = sink.posts.length;
    const askedAt = Date.now();
    const reply = await gateway.runCommand({ name: 'stop', options: {}, person: starter, address, sessionId });
    expect(reply.text).toBe('Stopping the panel…');
    const [request] = fake.chatRequests().filter(isRoundTurn);
    await waitFor(() => request!.closedAt !== undefined, 'the worker to abort the model request', 5_000);
    expect(request!.completed).toBe(false);
    expect(request!.closedAt! - askedAt).toBeLessThan(2_000);

    await waitFor(async () => !(await gateway.roundtable.isBusy(sessionId)), 'the stop notice', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // Posted by the worker process: the moderator's stop notice, and no persona post after the stop.
    const after = sink.posts.slice(postsBefore);
    expect(after.map((post) => post.speaker)).toEqual(['moderator']);
    expect(after[0]!.text).toMatch(/^⏹ Ana stopped the panel\./);
    expect(after[0]!.pid).toBe(worker.pid);
    expect(fake.chatRequests().filter(isRoundTurn)).toHaveLength(1);
    expect((await gateway.store.load(sessionId))?.agenda).toEqual([]);

    await gateway.stop();
    await sink.close();
    await fake.close();
  });
});
