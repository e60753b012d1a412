/**
 * Shutdown takes no new step from the moment it begins: while the platforms' intake is still
 * closing (a gateway connection can take seconds), a step enqueued by another process waits for
 * another worker instead of being started here and cut off by the grace period.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadCommands } from '../../commands/load-commands.ts';
import { startApp } from '../../src/app/start-app.ts';
import { configFrom } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import type { PlatformAdapter } from '../../src/adapter/platform-adapter.ts';
import { startFakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { roundtableReply } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import { testRedisUrl } from '../harness/redis.ts';
import { panelsDir } from '../slack-e2e/slack-e2e-harness.ts';

const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) await cleanupRedis(prefix);
});

describe('shutdown order', () => {
  it('stops taking jobs when intake starts closing, not after', { timeout: 60_000 }, async () => {
    const fake = await startFakeOpenAI({ chat: roundtableReply });
    const adapter = new RecordingAdapter();
    const env = { AUTO_ROUNDS: 0, PANELS_DIR: panelsDir, DEFAULT_PANEL: 'duo' };
    const gateway = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { ...env, ROLE: 'gateway' } });
    prefixes.push(gateway.prefix);
    let intakeClosing = false;
    // A platform whose intake takes 1.5 s to close (a gateway connection saying goodbye).
    const slowIntake: PlatformAdapter = {
      adapter,
      startInbound: async () => undefined,
      stopIntake: async () => {
        intakeClosing = true;
        await new Promise((resolve) => setTimeout(resolve, 1_500));
      },
      dispose: async () => undefined,
      isConnected: () => true,
    };
    const config = configFrom({ REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: gateway.prefix, QUEUE_NAME: gateway.queueName, OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'k', DATA_DIR: '/tmp/tableround-test-data', ...env, ROLE: 'worker' });
    const worker = await startApp({ config, logger: createLogger('silent'), adapters: [adapter], platformFactories: { terminal: () => slowIntake }, commands: await loadCommands() });
    const first = await gateway.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'before' }, person: { id: 'u', displayName: 'Ana' }, topic: 'Before the stop' });
    await waitFor(async () => !(await gateway.roundtable.isBusy(first.sessionId)), 'the first session to run', 20_000);

    const stopped = worker.stop();
    await waitFor(() => intakeClosing, 'intake to start closing');
    const second = await gateway.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'after' }, person: { id: 'u', displayName: 'Ana' }, topic: 'During the stop' });
    const postedAtStart = adapter.postsOf(second.sessionId).length;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const work = await gateway.store.pendingWork(second.sessionId);
    expect(await gateway.queue.jobState(second.sessionId, work.seq, work.epoch)).toBe('waiting');
    expect(adapter.postsOf(second.sessionId).slice(postedAtStart).map((post) => post.text)).toEqual([]);
    await stopped;
    await gateway.stop();
    await fake.close();
  });
});
