/**
 * The final failure of any step, not only a model's, is skipped with a short, true line and the
 * session goes on: a platform that refuses one persona's posts, a panel that disappeared, and
 * Redis refusing a step's own reads in every attempt (outside the step's body).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { roundtableReply } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import { panelsDir } from '../slack-e2e/slack-e2e-harness.ts';
import type { SendRequest } from '../../src/adapter/chat-adapter.ts';

const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) await cleanupRedis(prefix);
});

/** A platform that refuses every post by one persona. */
class RefusingAdapter extends RecordingAdapter {
  override async send(request: SendRequest): Promise<string> {
    if (request.speaker.kind === 'persona' && request.speaker.persona.id === 'maker') throw new Error('platform refused: 403 Missing Access');
    return super.send(request);
  }
}

/** A platform call that never answers, and does not hear the step's abort: a request with no timeout. */
class HangingAdapter extends RecordingAdapter {
  hung = 0;
  override async send(request: SendRequest): Promise<string> {
    if (request.speaker.kind === 'persona' && request.speaker.persona.id === 'maker') {
      this.hung += 1;
      return new Promise<never>(() => undefined);
    }
    return super.send(request);
  }
}

describe('final failures that are not the model', () => {
  it('a step that never ends: failed at its deadline in every attempt, then skipped with a notice, and the next persona speaks', async () => {
    const fake = await startFakeOpenAI({ chat: roundtableReply });
    const adapter = new HangingAdapter();
    const app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { AUTO_ROUNDS: 0, PANELS_DIR: panelsDir, DEFAULT_PANEL: 'duo', STEP_RETRY_DELAY_MS: 20, STEP_DEADLINE_MS: 1_000, STEP_MAX_REVIVALS: 0 } });
    prefixes.push(app.prefix);
    const { sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'hanging' }, person: { id: 'u', displayName: 'Ana' }, topic: 'A post that never returns' });
    await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'the plan to finish', 30_000);
    // Its three attempts each hung in the post and were failed at the deadline; the revived job skipped it.
    expect(adapter.hung).toBe(3);
    expect(await app.metrics.registry.getSingleMetricAsString('tableround_step_deadlines_total')).toMatch(/tableround_step_deadlines_total 3$/m);
    const posts = adapter.postsOf(sessionId);
    expect(posts.find((post) => post.speaker === 'moderator' && post.text.startsWith('⚠️'))?.text).toMatch(/This step ran longer than 1 min and was stopped\. Skipped: Bayar the Maker's introduction/);
    expect(posts.at(-1)?.speaker).toBe('Lin the Designer');
    await app.stop();
    await fake.close();
  });

  it('a platform refusing a persona: the step is skipped with a notice and the next persona speaks', async () => {
    const fake = await startFakeOpenAI({ chat: roundtableReply });
    const adapter = new RefusingAdapter();
    const app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { AUTO_ROUNDS: 0, PANELS_DIR: panelsDir, DEFAULT_PANEL: 'duo', STEP_RETRY_DELAY_MS: 20 } });
    prefixes.push(app.prefix);
    const { sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'refused' }, person: { id: 'u', displayName: 'Ana' }, topic: 'Refusals' });
    await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'the plan to finish', 30_000);
    const posts = adapter.postsOf(sessionId);
    expect(posts.find((post) => post.speaker === 'moderator' && post.text.startsWith('⚠️'))?.text).toMatch(/The chat platform refused a post\. Skipped: Bayar the Maker's introduction/);
    expect(posts.map((post) => post.text).join('\n')).not.toContain('403 Missing Access');
    expect(posts.at(-1)?.speaker).toBe('Lin the Designer');
    await app.stop();
    await fake.close();
  });

  it('a session whose panel is no longer installed ends with a line saying so', async () => {
    const fake = await startFakeOpenAI({ chat: roundtableReply });
    const adapter = new RecordingAdapter();
    const app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { AUTO_ROUNDS: 0, PANELS_DIR: panelsDir, DEFAULT_PANEL: 'duo' } });
    prefixes.push(app.prefix);
    const person = { id: 'u', displayName: 'Ana' };
    const { sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'nopanel' }, person, topic: 'Lost panel' });
    await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'the plan to finish', 30_000);
    // The panel is uninstalled (a redeploy without it) while the session is open.
    await app.redis.hset(app.keys.session('meta', sessionId), 'panelId', 'removed-panel');
    await app.roundtable.submit(sessionId, person, { type: 'message', text: 'Anyone?', images: [] });
    await waitFor(async () => (await app.store.load(sessionId))?.status === 'ended', 'the session to end', 30_000);
    expect(adapter.postsOf(sessionId).at(-1)?.text).toMatch(/panel “removed-panel” is no longer installed/);
    await app.stop();
    await fake.close();
  });

  it('a step whose session reads keep failing: skipped after its revivals with a line about the store, not about its worker', async () => {
    const fake = await startFakeOpenAI({ chat: roundtableReply });
    const adapter = new RecordingAdapter();
    const app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { AUTO_ROUNDS: 0, PANELS_DIR: panelsDir, DEFAULT_PANEL: 'duo', STEP_RETRY_DELAY_MS: 20, STEP_MAX_REVIVALS: 1 } });
    prefixes.push(app.prefix);
    // Step 1 (the first introduction) cannot read its session in any attempt of its first two
    // jobs (the second is its one revival): as a Redis connection that keeps dropping would.
    const snapshot = app.store.snapshot.bind(app.store);
    let refused = 0;
    app.store.snapshot = async (sessionId, options) => {
      const read = await snapshot(sessionId, options);
      if (read.meta?.seq === 1 && refused < 6) {
        refused += 1;
        throw new Error('Connection is closed.');
      }
      return read;
    };
    const { sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'unreadable' }, person: { id: 'u', displayName: 'Ana' }, topic: 'A flaky store' });
    await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'the plan to finish', 30_000);
    expect(refused).toBe(6);
    const notice = adapter.postsOf(sessionId).find((post) => post.speaker === 'moderator' && post.text.startsWith('⚠️'))?.text;
    expect(notice).toMatch(/memory store is unreachable right now.*Skipped: Bayar the Maker's introduction/s);
    expect(notice).not.toMatch(/kept stopping the worker/);
    expect(adapter.postsOf(sessionId).at(-1)?.speaker).toBe('Lin the Designer');
    await app.stop();
    await fake.close();
  });

  it('a worker without the session platform’s adapter hands the step back, unskipped, to one that has it', async () => {
    const fake = await startFakeOpenAI({ chat: roundtableReply });
    const adapter = new RecordingAdapter();
    const env = { AUTO_ROUNDS: 0, PANELS_DIR: panelsDir, DEFAULT_PANEL: 'duo', STEP_RETRY_DELAY_MS: 20 };
    const gateway = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { ...env, ROLE: 'gateway' } });
    prefixes.push(gateway.prefix);
    const shared = { prefix: gateway.prefix, queueName: gateway.queueName };
    // A worker started without this platform (as one without a Slack token would be).
    const without = await startTestApp({ modelUrl: fake.url, adapters: [], ...shared, env: { ...env, ROLE: 'worker' } });
    const { sessionId } = await gateway.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'elsewhere' }, person: { id: 'u', displayName: 'Ana' }, topic: 'Mixed workers' });
    await waitFor(async () => (await without.metrics.registry.getSingleMetricAsString('tableround_steps_handed_back_total')).includes('platform="terminal"} '), 'the step to be handed back', 10_000);
    expect(adapter.postsOf(sessionId)).toEqual([]);
    const able = await startTestApp({ modelUrl: fake.url, adapters: [adapter], ...shared, env: { ...env, ROLE: 'worker' } });
    await waitFor(async () => !(await gateway.roundtable.isBusy(sessionId)), 'the plan to finish', 30_000);
    const posts = adapter.postsOf(sessionId);
    expect(posts.filter((post) => post.text.startsWith('⚠️'))).toEqual([]);
    expect(posts.filter((post) => post.speaker !== 'moderator').map((post) => post.speaker)).toEqual(['Bayar the Maker', 'Lin the Designer']);
    expect(await gateway.store.transcript(sessionId)).toHaveLength(posts.length);
    for (const app of [without, able, gateway]) await app.stop();
    await fake.close();
  });
});
