/**
 * Prompts fit their model's window and posts keep their asked length, through the real pipeline
 * (real Redis, BullMQ, openai SDK) against the fake model:
 * - a model that writes 3,000 characters a turn is posted at its target length (≤ 1.5×, aimed ≤
 *   1.2×), streamed without ever showing past the cut, with caps per kind, not MODEL_MAX_TOKENS,
 *   and its stream is ended once what it wrote decides the post;
 * - a provider with an 8,192-token window that refuses longer prompts the way llama.cpp does:
 *   every turn of a long session completes — by folding early when the window is known, and by
 *   learning the window and retrying once when the model's name promised more;
 * - an answer cut off by its cap (finish_reason `length`) is posted up to its last complete
 *   sentence, and a re-run posts exactly that (the saved payload is the trimmed text);
 * - a rolling summary cut off before its first sentence ended replaces nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { EditRequest, SendRequest } from '../../src/adapter/chat-adapter.ts';
import { formatStatus } from '../../commands/status.ts';
import { capFor, lengthTargets } from '../../src/prompts/answer-length.ts';
import { contextExceededReply, startFakeOpenAI, type ChatReply, type RecordedRequest } from '../fake-openai/fake-openai-server.ts';
import { chatBody, messageText, roundtableReply, speakerOf } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';

const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) await cleanupRedis(prefix);
});

type CallKind = 'introduction' | 'round' | 'reply' | 'fold' | 'pause' | 'other';

function callKind(text: string): CallKind {
  if (/Fold the older part/.test(text)) return 'fold';
  if (/short synthesis/.test(text)) return 'pause';
  if (/Introduce yourself/.test(text)) return 'introduction';
  if (/It is round \d+ of the discussion/.test(text)) return 'round';
  if (/has just written to the table/.test(text)) return 'reply';
  return 'other';
}

/** About `chars` characters of whole English sentences naming the speaker. */
function longAnswer(speaker: string, chars = 3_000): string {
  const sentence = `${speaker.split(' ')[0]} thinks felt keeps the warmth of home, and the red wool carries the pattern of the steppe. `;
  return sentence.repeat(Math.ceil(chars / sentence.length)).trim();
}

/** Answers every text call with 3,000 characters; structured calls as the roundtable model does. */
function verboseModel(request: RecordedRequest): ChatReply {
  const body = chatBody(request);
  const kind = callKind(messageText(body));
  if (kind === 'other' || body.response_format) return roundtableReply(request);
  if (kind === 'fold') return { kind: 'text', text: longAnswer('Summary', 3_000) };
  return { kind: 'text', text: longAnswer(speakerOf(body)), chunkSize: 60, chunkDelayMs: 5 };
}

/** Streams by edits and records every text a message ever showed. */
class StreamingRecorder extends RecordingAdapter {
  readonly streaming = { editIntervalMs: 0, firstPostDelayMs: 0 };
  /** Every text a persona's message showed, by message ref, in order. */
  readonly shown = new Map<string, string[]>();
  private readonly postByRef = new Map<string, number>();

  override async send(request: SendRequest): Promise<string> {
    const ref = await super.send(request);
    this.postByRef.set(ref, this.posts.length - 1);
    if (request.speaker.kind === 'persona') this.shown.set(ref, [request.text]);
    return ref;
  }

  async edit(request: EditRequest): Promise<boolean> {
    const index = this.postByRef.get(request.ref);
    if (index === undefined) return false;
    this.posts[index]!.text = request.text;
    this.shown.get(request.ref)?.push(request.text);
    return true;
  }
}

describe('answers at their asked length', () => {
  it('posts 3,000-character answers at ≤ 1.2× their target, streamed without showing past the cut, capped per kind', async () => {
    const fake = await startFakeOpenAI({ chat: verboseModel });
    const adapter = new StreamingRecorder();
    const app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { AUTO_ROUNDS: 1, DEFAULT_PANEL: 'product-strategy', MODEL_MAX_TOKENS: 900 } });
    prefixes.push(app.prefix);
    const { sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'verbose' }, person: { id: 'u', displayName: 'Ana' }, topic: 'A felt lamp' });
    await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'introductions, a round and the pause', 60_000);

    const personaPosts = adapter.postsOf(sessionId).filter((post) => post.speaker !== 'moderator');
    expect(personaPosts).toHaveLength(10);
    const [introductions, turns] = [personaPosts.slice(0, 5), personaPosts.slice(5)];
    for (const post of introductions) expect(post.text.length).toBeLessThanOrEqual(lengthTargets.introduction * 1.2);
    for (const post of turns) expect(post.text.length).toBeLessThanOrEqual(lengthTargets.round * 1.2);
    for (const post of personaPosts) expect(post.text).toMatch(/steppe\.$/);
    // Streamed: no intermediate text ever ran past where the final text is cut.
    for (const texts of adapter.shown.values()) for (const text of texts) expect(text.length).toBeLessThanOrEqual(lengthTargets.round * 1.2);
    const pause = adapter.postsOf(sessionId).find((post) => post.text.startsWith('**Pause.**'));
    expect(pause).toBeDefined();
    expect(pause!.text.split('\n\n')[0]!.length).toBeLessThanOrEqual('**Pause.** '.length + lengthTargets.pause * 1.2);

    // The transcript holds exactly what was posted.
    const stored = (await app.store.transcript(sessionId)).filter((entry) => entry.kind === 'persona');
    expect(stored.map((entry) => entry.text)).toEqual(personaPosts.map((post) => post.text));

    // Caps come from each kind's target, never from MODEL_MAX_TOKENS (900).
    const capsByKind = new Map<CallKind, Set<number>>();
    for (const request of fake.chatRequests()) {
      const body = request.body as { max_tokens?: number; max_completion_tokens?: number };
      const kind = callKind(messageText(chatBody(request)));
      capsByKind.set(kind, (capsByKind.get(kind) ?? new Set()).add(body.max_tokens ?? body.max_completion_tokens ?? 0));
    }
    expect([...capsByKind.get('introduction')!]).toEqual([capFor(lengthTargets.introduction, { script: 'latin', model: 'gpt-4o-mini' })]);
    expect([...capsByKind.get('round')!]).toEqual([capFor(lengthTargets.round, { script: 'latin', model: 'gpt-4o-mini' })]);
    expect([...capsByKind.get('pause')!]).toEqual([capFor(lengthTargets.pause, { script: 'latin', model: 'gpt-4o-mini' })]);

    // A persona's model stream is ended once the answer so far decides the post (this fake
    // ignores max_tokens, as some endpoints do): none of the 3,000-character answers streamed to its end.
    const personaCalls = fake.chatRequests().filter((request) => ['introduction', 'round'].includes(callKind(messageText(chatBody(request)))));
    expect(personaCalls).toHaveLength(10);
    await waitFor(async () => personaCalls.every((request) => request.closedAt !== undefined), 'the persona streams closed');
    expect(personaCalls.map((request) => request.completed)).toEqual(personaCalls.map(() => false));

    // /status shows the last persona prompt against its window.
    const status = formatStatus((await app.roundtable.status(sessionId))!);
    expect(status).toMatch(/Prompt: ~[\d,]+ of 128,000 tokens \(gpt-4o-mini\), 232 kept for the answer/);
    await app.stop();
    await fake.close();
  });

  it('posts an answer cut off by its cap up to its last complete sentence, and a re-run posts the same', async () => {
    const fake = await startFakeOpenAI({
      chat: (request) => {
        const body = chatBody(request);
        const text = messageText(body);
        const speaker = speakerOf(body);
        if (callKind(text) === 'introduction' && speaker.startsWith('Priya')) return { kind: 'text', text: 'The lamp should be made of fel', finishReason: 'length' };
        if (callKind(text) === 'round' && speaker.startsWith('Priya')) return { kind: 'text', text: 'Felt is warm. Oak is strong. And then her mommy said, "', finishReason: 'length' };
        return roundtableReply(request);
      },
    });
    // The first post of Priya's turn fails once after its answer was saved: the re-run posts the saved answer.
    let failed = false;
    const adapter = Object.assign(new RecordingAdapter(), {
      async send(this: RecordingAdapter, request: SendRequest) {
        if (!failed && request.speaker.kind === 'persona' && request.text.startsWith('Felt is warm')) {
          failed = true;
          throw new Error('platform hiccup');
        }
        return RecordingAdapter.prototype.send.call(this, request);
      },
    });
    const app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { AUTO_ROUNDS: 1, DEFAULT_PANEL: 'product-strategy', STEP_RETRY_DELAY_MS: 50 } });
    prefixes.push(app.prefix);
    const { sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'cut-off' }, person: { id: 'u', displayName: 'Ana' }, topic: 'A felt lamp' });
    await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'a round with a cut-off answer', 60_000);

    const priya = adapter.postsOf(sessionId).filter((post) => post.speaker.startsWith('Priya'));
    expect(priya.map((post) => post.text)).toEqual(['The lamp should be made of…', 'Felt is warm. Oak is strong.']);
    expect(failed).toBe(true);
    const priyaTurns = fake.chatRequests().filter((request) => callKind(messageText(chatBody(request))) === 'round' && speakerOf(chatBody(request)).startsWith('Priya'));
    expect(priyaTurns).toHaveLength(1);
    const stored = (await app.store.transcript(sessionId)).filter((entry) => entry.speakerName.startsWith('Priya'));
    expect(stored.map((entry) => entry.text)).toEqual(['The lamp should be made of…', 'Felt is warm. Oak is strong.']);
    expect(adapter.postsOf(sessionId).some((post) => post.text.startsWith('⚠️'))).toBe(false);
    await app.stop();
    await fake.close();
  });
});

describe('prompts within an 8,192-token window', () => {
  /**
   * A llama-server with `-c 8192`: counts a prompt as characters / 3 and refuses one above its
   * window — in its usual words (naming both sizes) or its short ones (naming none).
   */
  function smallWindowServer(wording: 'llama.cpp' | 'llama.cpp-short', model: (request: RecordedRequest) => ChatReply) {
    const refused: { tokens: number; at: number; speaker: string }[] = [];
    const handler = (request: RecordedRequest): ChatReply => {
      const tokens = Math.ceil(messageText(chatBody(request)).length / 3);
      if (tokens > 8_192) {
        refused.push({ tokens, at: request.receivedAt, speaker: speakerOf(chatBody(request)) });
        return contextExceededReply(wording, tokens, 8_192);
      }
      return model(request);
    };
    return { refused, handler };
  }

  // Ten rounds of ≤ 480-character turns outgrow 8,192 tokens (24,576 characters) by the last round.
  const rounds = 10;
  // A failed step job is retried after 5 s: a turn asked again sooner was retried within its step.
  const longSession = { AUTO_ROUNDS: rounds, MAX_ROUNDS: rounds, CONTEXT_RECENT_TURNS: 80, DEFAULT_PANEL: 'product-strategy', STEP_RETRY_DELAY_MS: 5_000 };

  async function runLongSession(chatModel: string, thread: string, wording: 'llama.cpp' | 'llama.cpp-short' = 'llama.cpp', model = verboseModel) {
    const server = smallWindowServer(wording, model);
    const fake = await startFakeOpenAI({ chat: server.handler });
    const adapter = new RecordingAdapter();
    const app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { ...longSession, CHAT_MODEL: chatModel } });
    prefixes.push(app.prefix);
    const { sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread }, person: { id: 'u', displayName: 'Ana' }, topic: 'A felt lamp for a small flat' });
    await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), `${rounds} rounds`, 150_000);
    const posts = adapter.postsOf(sessionId);
    const requests = fake.chatRequests();
    const folds = requests.filter((request) => callKind(messageText(chatBody(request))) === 'fold');
    // How soon after each refusal the same persona was asked again.
    const retryDelays = server.refused.map(({ at, speaker }) => (requests.find((request) => request.receivedAt > at && speakerOf(chatBody(request)) === speaker)?.receivedAt ?? Infinity) - at);
    const meta = (await app.store.load(sessionId))!;
    await app.stop();
    await fake.close();
    return { posts, folds, refused: server.refused, retryDelays, meta };
  }

  it('folds early for a model whose window is unknown (8,192 assumed): no prompt is ever refused, no turn skipped', async () => {
    const { posts, folds, refused, meta } = await runLongSession('local-model', 'unknown-window');
    expect(posts.filter((post) => post.text.startsWith('⚠️'))).toEqual([]);
    expect(posts.filter((post) => post.speaker !== 'moderator')).toHaveLength(5 + rounds * 5);
    expect(refused).toEqual([]);
    // The window is 60 turns by count; only the size made the session fold.
    expect(folds.length).toBeGreaterThanOrEqual(1);
    expect(meta.summarisedThrough).toBeGreaterThan(0);
    expect(meta.promptStats).toMatchObject({ windowTokens: 8_192, model: 'local-model' });
    expect(meta.promptStats!.promptTokens).toBeLessThanOrEqual(8_192 - meta.promptStats!.reserveTokens);
  }, 180_000);

  it('learns the window from llama.cpp’s refusal when the name promised more (qwen2.5: 32,768), folds and retries: every turn completes', async () => {
    const { posts, refused, retryDelays, meta } = await runLongSession('qwen2.5:7b', 'learned-window');
    // The prompt outgrew the server's window once; the turn was retried within its step (well
    // before a job retry's 5 s), not skipped.
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeLessThanOrEqual(2);
    for (const delay of retryDelays) expect(delay).toBeLessThan(2_000);
    expect(posts.filter((post) => post.text.startsWith('⚠️'))).toEqual([]);
    expect(posts.filter((post) => post.speaker !== 'moderator')).toHaveLength(5 + rounds * 5);
    expect(meta.promptStats).toMatchObject({ windowTokens: 8_192, model: 'qwen2.5:7b' });
  }, 180_000);

  it('without a window in the refusal, halves what the refused call asked for, folds and retries: every turn completes', async () => {
    const { posts, refused, retryDelays } = await runLongSession('qwen2.5:7b', 'numberless-refusal', 'llama.cpp-short');
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const delay of retryDelays) expect(delay).toBeLessThan(2_000);
    expect(posts.filter((post) => post.text.startsWith('⚠️'))).toEqual([]);
    expect(posts.filter((post) => post.speaker !== 'moderator')).toHaveLength(5 + rounds * 5);
  }, 180_000);

  it('keeps no fragment as the summary when the fold is cut off, and still fits every prompt by leaving out the oldest entries', async () => {
    const cutOffFolds = (request: RecordedRequest): ChatReply =>
      callKind(messageText(chatBody(request))) === 'fold' ? { kind: 'text', text: 'The panel discussed felt and the', finishReason: 'length' } : verboseModel(request);
    const { posts, folds, refused, meta } = await runLongSession('local-model', 'cut-off-fold', 'llama.cpp', cutOffFolds);
    expect(folds.length).toBeGreaterThanOrEqual(1);
    expect(meta.rollingSummary).toBe('');
    expect(meta.summarisedThrough).toBe(0);
    expect(refused).toEqual([]);
    expect(posts.filter((post) => post.text.startsWith('⚠️'))).toEqual([]);
    expect(posts.filter((post) => post.speaker !== 'moderator')).toHaveLength(5 + rounds * 5);
  }, 180_000);
});
