/**
 * Model faults: errors that recover are retried and the session carries on; a step that keeps
 * failing is skipped with a short message naming what failed, and the session stays usable.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { chatBody, messageText, roundtableReply, speakerOf } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';

const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) await cleanupRedis(prefix);
});

describe('model faults', () => {
  it('retries 500s, a 429 with Retry-After, a cut stream and an empty completion, then carries on', async () => {
    const faults = [
      { kind: 'error' as const, status: 500 },
      { kind: 'error' as const, status: 429, retryAfterSeconds: 1 },
      { kind: 'cut' as const, text: 'half a sentence that never ends' },
      { kind: 'empty' as const },
    ];
    const fake = await startFakeOpenAI({ chat: (request, index) => faults[index] ?? roundtableReply(request) });
    const adapter = new RecordingAdapter();
    const app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { AUTO_ROUNDS: 0, MODEL_MAX_RETRIES: 4 } });
    prefixes.push(app.prefix);
    const { sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'faults' }, person: { id: 'u', displayName: 'Ana' }, topic: 'Faults' });
    await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'introductions despite faults', 60_000);
    const intros = adapter.postsOf(sessionId).filter((post) => / speaks \(#/.test(post.text));
    expect(intros.map((post) => post.speaker)).toEqual(['Bayar (巴雅尔)', 'Ayigul (阿依古丽)', 'Li Zhiqiang (李志强)', 'Zhang Xiaoya (张小雅)', 'Lin Siyu (林思雨)', 'Wang Xiaomeng (王晓萌)']);
    expect(adapter.postsOf(sessionId).some((post) => post.text.startsWith('⚠️'))).toBe(false);
    // The 429's Retry-After (1 s) was honoured before the next attempt.
    const requests = fake.chatRequests();
    expect(requests[2]!.receivedAt - requests[1]!.receivedAt).toBeGreaterThanOrEqual(950);
    await app.stop();
    await fake.close();
  });

  it('skips a step that keeps failing with a message naming the failure, and the session goes on', async () => {
    const fake = await startFakeOpenAI({
      chat: (request) => (speakerOf(chatBody(request)) === 'Lin Siyu (林思雨)' ? { kind: 'error', status: 503, message: 'overloaded' } : roundtableReply(request)),
    });
    const adapter = new RecordingAdapter();
    const app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { AUTO_ROUNDS: 0, MODEL_MAX_RETRIES: 1, MODEL_CIRCUIT_OPEN_MS: 200 } });
    prefixes.push(app.prefix);
    const person = { id: 'u', displayName: 'Ana' };
    const { sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'skip' }, person, topic: 'Skips' });
    await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'the plan to finish', 60_000);
    const posts = adapter.postsOf(sessionId);
    const warning = posts.find((post) => post.text.startsWith('⚠️'));
    expect(warning?.speaker).toBe('moderator');
    expect(warning?.text).toMatch(/chat model \(gpt-4o-mini\) failed \(HTTP 503\)/);
    expect(warning?.text).toMatch(/Skipped: Lin Siyu \(林思雨\)'s introduction/);
    // The persona after the failing one still introduced itself.
    expect(posts.at(-1)?.speaker).toBe('Wang Xiaomeng (王晓萌)');
    // And the session stays usable: a message gets an answer.
    await app.roundtable.submit(sessionId, person, { type: 'message', text: 'Bayar, are you there?', images: [] });
    await waitFor(() => adapter.postsOf(sessionId).at(-1)?.speaker === 'Bayar (巴雅尔)', 'a reply from Bayar');
    await app.stop();
    await fake.close();
  });

  it('falls back to FALLBACK_CHAT_MODEL when the main model keeps failing', async () => {
    const fake = await startFakeOpenAI({
      chat: (request) => (chatBody(request).model === 'gpt-4o-mini' ? { kind: 'error', status: 500, message: 'down' } : roundtableReply(request)),
    });
    const adapter = new RecordingAdapter();
    const app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { AUTO_ROUNDS: 0, MODEL_MAX_RETRIES: 1, FALLBACK_CHAT_MODEL: 'backup-model', DEFAULT_PANEL: 'product-strategy' } });
    prefixes.push(app.prefix);
    const { sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'fallback' }, person: { id: 'u', displayName: 'Ana' }, topic: 'Fallback' });
    await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'introductions through the fallback', 60_000);
    expect(adapter.postsOf(sessionId).filter((post) => post.speaker !== 'moderator')).toHaveLength(5);
    expect(adapter.postsOf(sessionId).some((post) => post.text.startsWith('⚠️'))).toBe(false);
    const models = fake.chatRequests().map((request) => chatBody(request).model);
    expect(models.filter((model) => model === 'backup-model')).toHaveLength(5);
    expect(models.filter((model) => model === 'gpt-4o-mini')).toHaveLength(10);
    await app.stop();
    await fake.close();
  });
});

describe('provider dialects', () => {
  it('switches to max_completion_tokens for a model that refuses max_tokens', async () => {
    const fake = await startFakeOpenAI({
      chat: (request) =>
        'max_tokens' in (request.body as Record<string, unknown>)
          ? { kind: 'error', status: 400, message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead." }
          : roundtableReply(request),
    });
    const adapter = new RecordingAdapter();
    const app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { AUTO_ROUNDS: 0, DEFAULT_PANEL: 'product-strategy' } });
    prefixes.push(app.prefix);
    const { sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'dialect' }, person: { id: 'u', displayName: 'Ana' }, topic: 'Dialects' });
    await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'introductions');
    expect(adapter.postsOf(sessionId).filter((post) => post.speaker !== 'moderator')).toHaveLength(5);
    const bodies = fake.chatRequests().map((request) => request.body as Record<string, unknown>);
    expect(bodies.filter((body) => 'max_tokens' in body)).toHaveLength(1);
    expect(bodies.filter((body) => 'max_completion_tokens' in body)).toHaveLength(5);
    await app.stop();
    await fake.close();
  });

  it('runs a vote with a model that answers bare lists in prompt-only JSON mode', async () => {
    const fake = await startFakeOpenAI({
      chat: (request) => {
        const text = messageText(chatBody(request));
        if ('response_format' in (request.body as Record<string, unknown>)) return { kind: 'error', status: 400, message: 'response_format is not supported' };
        if (/"keywords"/.test(text)) return { kind: 'text', text: 'Here you go: ["felt", "oak", "lamp shade"]' };
        if (/"choices"/.test(text)) return { kind: 'text', text: '```json\n["1", "2"]\n```' };
        return roundtableReply(request);
      },
    });
    const adapter = new RecordingAdapter();
    const app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { AUTO_ROUNDS: 0, MODEL_JSON_MODE: 'prompt', DEFAULT_PANEL: 'product-strategy' } });
    prefixes.push(app.prefix);
    const person = { id: 'u', displayName: 'Ana' };
    const { sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'lists' }, person, topic: 'Lists' });
    await app.roundtable.submit(sessionId, person, { type: 'command', name: 'vote', options: { action: 'open' } });
    await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'the vote to open');
    const poll = (await app.roundtable.status(sessionId))?.poll;
    expect(poll?.candidates.map((candidate) => candidate.label)).toEqual(['felt', 'oak', 'lamp shade']);
    expect(poll?.personaVoters).toBe(5);
    expect(adapter.postsOf(sessionId).some((post) => post.text.startsWith('⚠️'))).toBe(false);
    await app.stop();
    await fake.close();
  });
});
