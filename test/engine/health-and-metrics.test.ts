/** /healthz and /metrics on the bot's HTTP port, after a real session step ran. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { roundtableReply } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import { freeLoopbackPort } from '../../src/store/embedded-redis.ts';
import type { RunningApp } from '../../src/app/start-app.ts';

let fake: FakeOpenAI;
let app: RunningApp & { prefix: string; queueName: string };
let base: string;

beforeAll(async () => {
  fake = await startFakeOpenAI({ chat: roundtableReply });
  const port = await freeLoopbackPort();
  base = `http://127.0.0.1:${port}`;
  const adapter = new RecordingAdapter();
  app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { HTTP_PORT: port, AUTO_ROUNDS: 0, PUBLIC_BASE_URL: base } });
  const { sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'metrics' }, person: { id: 'u', displayName: 'Ana' }, topic: 'Metrics' });
  await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'introductions');
});

afterAll(async () => {
  await app.stop();
  await fake.close();
  await cleanupRedis(app.prefix);
});

describe('observability', () => {
  it('/healthz reports Redis and the queue worker', async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, checks: { redis: true, queue: true } });
  });

  it('a gateway reports whether any worker is connected to the queue', async () => {
    const port = await freeLoopbackPort();
    const gateway = await startTestApp({ modelUrl: fake.url, adapters: [new RecordingAdapter()], prefix: app.prefix, queueName: app.queueName, env: { HTTP_PORT: port, ROLE: 'gateway' } });
    try {
      const health = async () => (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { ok: boolean; checks: Record<string, boolean> };
      // The app of this file runs a worker on the same queue.
      expect(await health()).toEqual({ ok: true, checks: { redis: true, workers: true } });
      await app.queue.close(0);
      await waitFor(async () => (await health()).checks.workers === false, 'the gateway to notice no worker is left');
      expect((await health()).ok).toBe(false);
    } finally {
      await gateway.stop();
    }
  });

  it('/metrics counts turns, tokens by model, step latency and queue depth', async () => {
    const body = await (await fetch(`${base}/metrics`)).text();
    expect(body).toMatch(/^tableround_persona_turns_total 6$/m);
    expect(body).toMatch(/tableround_model_tokens_total\{model="gpt-4o-mini",direction="in"\} [1-9]/);
    expect(body).toMatch(/tableround_step_duration_seconds_count\{kind="introduction"\} 6/);
    expect(body).toMatch(/tableround_model_call_duration_seconds_count\{model="gpt-4o-mini",outcome="ok"\} 6/);
    expect(body).toMatch(/tableround_queue_depth\{state="waiting"\} 0/);
  });

  it('serves persona avatars at content-hashed URLs', async () => {
    const identity = await app.identities.identityOf((await import('../../src/panels/panel-loader.ts')).loadPanels('prompts/panels').get('design-workshop')!.personas[0]!);
    expect(identity.avatarUrl).toMatch(new RegExp(`^${base}/avatars/[a-f0-9]{16}\\.png$`));
    const response = await fetch(identity.avatarUrl!);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await response.arrayBuffer()).equals(identity.avatarPng!)).toBe(true);
  });
});
