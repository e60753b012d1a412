/**
 * A worker process killed with SIGKILL in the middle of a turn: another worker process takes the
 * step over once its lock lapses and completes it — no lost turn, no duplicate post. On one Redis
 * node, and again on a three-node Redis Cluster (test/harness/redis-cluster.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { chatBody, roundtableReply, speakerOf } from '../harness/roundtable-model.ts';
import { SinkAdapter, startSink } from '../harness/sink-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import { testRedisUrl, uniqueName } from '../harness/redis.ts';
import { startLocalCluster, type LocalCluster } from '../harness/redis-cluster.ts';

const prefix = uniqueName('crash');
const queueName = uniqueName('q');
const children: ChildProcess[] = [];
let cluster: LocalCluster | undefined;
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await cleanupRedis(prefix);
  await cluster?.stop();
});

function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/harness/worker-process.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('worker ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
}

const redisPlaces = {
  'one Redis node': async () => ({ REDIS_URL: testRedisUrl() }),
  'a three-node Redis Cluster': async () => {
    cluster ??= await startLocalCluster();
    return { REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.nodesSetting };
  },
};

describe.each(Object.keys(redisPlaces) as (keyof typeof redisPlaces)[])('worker killed mid-turn, on %s', (place) => {
  it('the turn is completed by another worker exactly once', { timeout: 120_000 }, async () => {
    const redisEnv = await redisPlaces[place]();
    const fake = await startFakeOpenAI({
      chat: (request) => {
        const reply = roundtableReply(request);
        // Turns stream slowly (~1 s) so the kill lands in the middle of one.
        return reply.kind === 'text' ? { ...reply, chunkSize: 4, chunkDelayMs: 40 } : reply;
      },
    });
    const sink = await startSink();
    const env = {
      ...redisEnv,
      REDIS_KEY_PREFIX: prefix,
      QUEUE_NAME: queueName,
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: 'test',
      SINK_URL: sink.url,
      WORKER_LOCK_MS: '1500',
      LOG_LEVEL: 'error',
      AUTO_ROUNDS: '0',
    };
    const gateway = await startTestApp({ modelUrl: fake.url, adapters: [new SinkAdapter(sink.url)], prefix, queueName, env: { ...redisEnv, ROLE: 'gateway', AUTO_ROUNDS: 0 } });
    const first = await startWorker(env);
    const { sessionId } = await gateway.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: `crash-${place.length}` }, person: { id: 'u', displayName: 'Ana' }, topic: 'Crash test' });

    // Kill the worker while the third introduction is streaming from the model.
    await waitFor(() => fake.chatRequests().some((request) => speakerOf(chatBody(request)) === 'Li Zhiqiang (李志强)'), 'the third introduction to start');
    await new Promise((resolve) => setTimeout(resolve, 200));
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const postsAtKill = sink.posts.length;
    expect(sink.posts.some((post) => post.speaker === 'Li Zhiqiang (李志强)')).toBe(false);

    await startWorker(env);
    await waitFor(async () => !(await gateway.roundtable.isBusy(sessionId)), 'the session plan to finish on the second worker', 60_000);
    const speakers = sink.posts.filter((post) => post.speaker !== 'moderator').map((post) => post.speaker);
    expect(speakers).toEqual(['Bayar (巴雅尔)', 'Ayigul (阿依古丽)', 'Li Zhiqiang (李志强)', 'Zhang Xiaoya (张小雅)', 'Lin Siyu (林思雨)', 'Wang Xiaomeng (王晓萌)']);
    expect(sink.posts.filter((post) => post.speaker === 'moderator')).toHaveLength(1);
    // The interrupted turn was asked of the model again, and posted by the second worker.
    expect(fake.chatRequests().filter((request) => speakerOf(chatBody(request)) === 'Li Zhiqiang (李志强)')).toHaveLength(2);
    const secondPid = sink.posts.at(-1)!.pid;
    expect(sink.posts.slice(postsAtKill).every((post) => post.pid === secondPid)).toBe(true);
    expect((await gateway.store.transcript(sessionId)).filter((entry) => entry.kind === 'persona')).toHaveLength(6);

    await gateway.stop();
    await sink.close();
    await fake.close();
  });
});
