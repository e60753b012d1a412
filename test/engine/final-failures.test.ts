/**
 * The final failure of any step, not only a model's, is skipped with a short, true line and the
 * session goes on: a platform that refuses one persona's posts, and a panel that disappeared.
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

describe('final failures that are not the model', () => {
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
});
