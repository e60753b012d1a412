import { afterEach, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import sharp from 'sharp';
import { z } from 'zod';
import type { FakeOpenAI, FakeOpenAIOptions } from './fake-openai-server.ts';
import { CONTEXT_PROVIDERS, DEFAULT_REPLY_PREFIX, FAKE_IMAGE_SIZE_PX, contextExceededReply, scriptedReplies, startFakeOpenAI } from './fake-openai-server.ts';

const MODEL = 'gpt-4o-mini';
const USER_HELLO: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hello there' }];

let fake: FakeOpenAI | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(options?: FakeOpenAIOptions): Promise<FakeOpenAI> {
  fake = await startFakeOpenAI(options);
  return fake;
}

function clientFor(server: FakeOpenAI, options: { maxRetries?: number; timeout?: number; apiKey?: string } = {}): OpenAI {
  return new OpenAI({ baseURL: server.url, apiKey: options.apiKey ?? 'test', maxRetries: options.maxRetries ?? 0, timeout: options.timeout });
}

/** `reasoning_content` is not in the SDK's types: narrow it from the delta. */
function reasoningOf(delta: object | undefined): string {
  return delta && 'reasoning_content' in delta && typeof delta.reasoning_content === 'string' ? delta.reasoning_content : '';
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

async function isPng(bytes: Buffer): Promise<boolean> {
  const metadata = await sharp(bytes).metadata();
  return metadata.format === 'png' && metadata.width === FAKE_IMAGE_SIZE_PX && metadata.height === FAKE_IMAGE_SIZE_PX;
}

describe('chat completions, streamed', () => {
  it('sends the text in several chunks that concatenate to it, with usage alone in the last chunk', async () => {
    const text = 'The roundtable opens with a question about tea.';
    const server = await start({ chat: () => ({ kind: 'text', text, chunkSize: 5, usage: { prompt_tokens: 11, completion_tokens: 7 } }) });

    const stream = await clientFor(server).chat.completions.create({ model: MODEL, messages: USER_HELLO, stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    const contentChunks = chunks.filter((chunk) => (chunk.choices[0]?.delta.content ?? '') !== '');
    expect(contentChunks.length).toBe(Math.ceil(text.length / 5));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(text);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 });
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
  });

  it('sends no usage chunk without stream_options.include_usage', async () => {
    const server = await start();
    const stream = await clientFor(server).chat.completions.create({ model: MODEL, messages: USER_HELLO, stream: true });
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks.every((chunk) => chunk.choices.length === 1 && chunk.usage === undefined)).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(`${DEFAULT_REPLY_PREFIX}Hello there`);
  });

  it('sends reasoning as delta.reasoning_content, before and apart from the content', async () => {
    const server = await start({ chat: () => ({ kind: 'text', text: 'Answer.', reasoning: 'First I consider the question.' }) });
    const stream = await clientFor(server).chat.completions.create({ model: MODEL, messages: USER_HELLO, stream: true });
    let reasoning = '';
    let content = '';
    let reasoningAfterContent = false;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta;
      if (reasoningOf(delta) && content) reasoningAfterContent = true;
      reasoning += reasoningOf(delta);
      content += delta?.content ?? '';
    }
    expect(reasoning).toBe('First I consider the question.');
    expect(content).toBe('Answer.');
    expect(reasoningAfterContent).toBe(false);
  });

  it("works with the SDK's stream helper, which accumulates the final completion", async () => {
    const server = await start({ chat: () => ({ kind: 'text', text: 'Accumulated by the helper.', chunkSize: 3 }) });
    const stream = clientFor(server).chat.completions.stream({ model: MODEL, messages: USER_HELLO, stream_options: { include_usage: true } });
    const completion = await stream.finalChatCompletion();
    expect(completion.choices[0]?.message.content).toBe('Accumulated by the helper.');
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('makes the iteration throw when the stream is cut before [DONE], after part of the text', async () => {
    const text = 'This sentence will never be finished by the model.';
    const server = await start({ chat: () => ({ kind: 'cut', text }) });
    const stream = await clientFor(server, { maxRetries: 2 }).chat.completions.create({ model: MODEL, messages: USER_HELLO, stream: true });
    let received = '';
    const iterate = async (): Promise<void> => {
      for await (const chunk of stream) received += chunk.choices[0]?.delta.content ?? '';
    };

    const error = await rejectionOf(iterate());
    // Surprising: a broken stream surfaces as undici's raw `TypeError: terminated`, not an OpenAI error.
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(OpenAI.APIError);
    expect(received.length).toBeGreaterThan(0);
    expect(text.startsWith(received) && received.length < text.length).toBe(true);
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('does not apply the SDK timeout after the headers: a slow stream outlives `timeout`', async () => {
    const text = 'slow '.repeat(8);
    const server = await start({ chat: () => ({ kind: 'text', text, chunkSize: 10, chunkDelayMs: 120 }) });
    const stream = await clientFor(server, { timeout: 300 }).chat.completions.create({ model: MODEL, messages: USER_HELLO, stream: true });
    let received = '';
    for await (const chunk of stream) received += chunk.choices[0]?.delta.content ?? '';
    // 4 content chunks + role + finish = 5 pauses of 120 ms, well past the 300 ms timeout.
    expect(received).toBe(text);
  });
});

describe('chat completions, not streamed', () => {
  it('returns a chat.completion with content, finish_reason, usage and reasoning_content', async () => {
    const server = await start({ chat: () => ({ kind: 'text', text: 'Whole answer.', reasoning: 'Thinking.' }) });
    const completion = await clientFor(server).chat.completions.create({ model: MODEL, messages: USER_HELLO });

    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe(MODEL);
    expect(completion.choices[0]?.message.content).toBe('Whole answer.');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(reasoningOf(completion.choices[0]?.message)).toBe('Thinking.');
    expect(completion.usage?.total_tokens).toBe((completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0));
  });

  it('returns empty content for an empty reply, streamed or not', async () => {
    const server = await start({ chat: () => ({ kind: 'empty' }) });
    const client = clientFor(server);
    const completion = await client.chat.completions.create({ model: MODEL, messages: USER_HELLO });
    expect(completion.choices[0]?.message.content).toBe('');

    const stream = await client.chat.completions.create({ model: MODEL, messages: USER_HELLO, stream: true });
    let content = '';
    for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
    expect(content).toBe('');
  });

  it('answers json replies as JSON text, which the SDK parse helper validates against a json_schema', async () => {
    const verdict = { speaker: 'Ada', confidence: 0.75 };
    const server = await start({ chat: () => ({ kind: 'json', value: verdict }) });
    const schema = z.object({ speaker: z.string(), confidence: z.number() });

    const parsed = await clientFor(server).chat.completions.parse({ model: MODEL, messages: USER_HELLO, response_format: zodResponseFormat(schema, 'verdict') });
    expect(parsed.choices[0]?.message.parsed).toEqual(verdict);
    expect(server.chatRequests()[0]?.body).toMatchObject({ response_format: { type: 'json_schema', json_schema: { name: 'verdict' } } });

    const stream = await clientFor(server).chat.completions.create({ model: MODEL, messages: USER_HELLO, stream: true, response_format: { type: 'json_object' } });
    let content = '';
    for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
    expect(JSON.parse(content)).toEqual(verdict);
  });

  it('accepts vision input and records the request body unchanged', async () => {
    const server = await start();
    const imageUrl = `data:image/png;base64,${(await sharp({ create: { width: 2, height: 2, channels: 3, background: '#fff' } }).png().toBuffer()).toString('base64')}`;
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
      { role: 'system', content: 'You are Ada.' },
      { role: 'user', content: [{ type: 'text', text: 'What is in this picture?' }, { type: 'image_url', image_url: { url: imageUrl, detail: 'low' } }] },
    ];

    const completion = await clientFor(server).chat.completions.create({ model: MODEL, messages, max_completion_tokens: 50 });

    expect(completion.choices[0]?.message.content).toBe(`${DEFAULT_REPLY_PREFIX}What is in this picture?`);
    const recorded = server.chatRequests()[0];
    expect(recorded?.body).toEqual({ model: MODEL, messages, max_completion_tokens: 50 });
    expect(recorded?.method).toBe('POST');
    expect(recorded?.headers.authorization).toBe('Bearer test');
  });
});

describe('how an answer ends, and a server that is slow to start', () => {
  it("sends the scripted finish_reason, streamed or not; `null` leaves the stream's last chunk without one", async () => {
    const server = await start({ chat: () => ({ kind: 'text', text: 'Cut off mid', finishReason: 'length' }) });
    const whole = await clientFor(server).chat.completions.create({ model: MODEL, messages: USER_HELLO });
    expect(whole.choices[0]?.finish_reason).toBe('length');

    server.setChat(() => ({ kind: 'text', text: 'No reason.', finishReason: null }));
    const stream = await clientFor(server).chat.completions.create({ model: MODEL, messages: USER_HELLO, stream: true });
    const reasons: (string | null | undefined)[] = [];
    for await (const chunk of stream) reasons.push(chunk.choices[0]?.finish_reason);
    expect(reasons.every((reason) => reason === null)).toBe(true);
  });

  it('firstTokenDelayMs: the role chunk comes with the headers, the first text only after the delay', async () => {
    const server = await start({ chat: () => ({ kind: 'text', text: 'Slow start.', firstTokenDelayMs: 300 }) });
    const startedAt = Date.now();
    const stream = await clientFor(server).chat.completions.create({ model: MODEL, messages: USER_HELLO, stream: true });
    const arrivals: { content: string; atMs: number }[] = [];
    for await (const chunk of stream) arrivals.push({ content: chunk.choices[0]?.delta.content ?? '', atMs: Date.now() - startedAt });
    expect(arrivals[0]?.content).toBe('');
    expect(arrivals[0]?.atMs).toBeLessThan(200);
    expect(arrivals.find((arrival) => arrival.content !== '')?.atMs).toBeGreaterThanOrEqual(280);
  });

  it('stallAfterChunks: sends that many text chunks, then nothing, and keeps the response open', async () => {
    const server = await start({ chat: () => ({ kind: 'text', text: 'abcdefghijklmnop', chunkSize: 4, stallAfterChunks: 2 }) });
    const controller = new AbortController();
    const stream = await clientFor(server).chat.completions.create({ model: MODEL, messages: USER_HELLO, stream: true }, { signal: controller.signal });
    let received = '';
    setTimeout(() => controller.abort(), 300);
    for await (const chunk of stream) received += chunk.choices[0]?.delta.content ?? '';
    expect(received).toBe('abcdefgh');
    expect(controller.signal.aborted).toBe(true);
  });

  it("contextExceededReply speaks each provider's wording, with llama.cpp's extra fields", async () => {
    const server = await start({ chat: () => contextExceededReply('llama.cpp', 8195, 8192) });
    const error = await rejectionOf(clientFor(server).chat.completions.create({ model: MODEL, messages: USER_HELLO }));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, code: 400, type: 'exceed_context_size_error', error: { n_ctx: 8192, n_prompt_tokens: 8195 } });
    expect((error as Error).message).toBe('400 request (8195 tokens) exceeds the available context size (8192 tokens), try increasing it');
    for (const provider of CONTEXT_PROVIDERS) expect(contextExceededReply(provider, 9000, 8192)).toMatchObject({ kind: 'error', status: 400 });
  });
});

describe('chat completion errors, retries and timeouts', () => {
  it('retries a 429 after its Retry-After of 1 s, then succeeds', async () => {
    const server = await start({ chat: scriptedReplies([{ kind: 'error', status: 429, retryAfterSeconds: 1 }, { kind: 'text', text: 'Second time lucky.' }]) });
    const completion = await clientFor(server, { maxRetries: 2 }).chat.completions.create({ model: MODEL, messages: USER_HELLO });

    expect(completion.choices[0]?.message.content).toBe('Second time lucky.');
    const [first, second] = server.chatRequests();
    expect(second).toBeDefined();
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(900);
    expect(second?.headers['x-stainless-retry-count']).toBe('1');
  });

  it('surfaces a 500 as OpenAI.APIError with status 500 when maxRetries is 0', async () => {
    const server = await start({ chat: () => ({ kind: 'error', status: 500 }) });
    const error = await rejectionOf(clientFor(server, { maxRetries: 0 }).chat.completions.create({ model: MODEL, messages: USER_HELLO }));

    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error).toMatchObject({ status: 500, type: 'server_error', requestID: 'req_fake_1' });
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('surfaces a 400 content_policy_violation with its code, without retrying', async () => {
    const server = await start({ chat: () => ({ kind: 'error', status: 400, code: 'content_policy_violation', message: 'Blocked by policy.' }) });
    const error = await rejectionOf(clientFor(server, { maxRetries: 2 }).chat.completions.create({ model: MODEL, messages: USER_HELLO, stream: true }));

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, code: 'content_policy_violation', type: 'invalid_request_error' });
    expect((error as Error).message).toContain('Blocked by policy.');
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('trips the SDK timeout on a hang, and retries timeouts when allowed', async () => {
    const server = await start({ chat: () => ({ kind: 'hang' }) });
    const error = await rejectionOf(clientFor(server, { timeout: 300 }).chat.completions.create({ model: MODEL, messages: USER_HELLO }));
    expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(server.chatRequests()).toHaveLength(1);

    const retried = await rejectionOf(clientFor(server, { timeout: 300, maxRetries: 1 }).chat.completions.create({ model: MODEL, messages: USER_HELLO, stream: true }));
    expect(retried).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(server.chatRequests()).toHaveLength(3);
  });

  it('answers 401 invalid_api_key when an API key is required and wrong', async () => {
    const server = await start({ apiKey: 'right-key' });
    const error = await rejectionOf(clientFor(server, { apiKey: 'wrong-key' }).chat.completions.create({ model: MODEL, messages: USER_HELLO }));
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key' });

    const completion = await clientFor(server, { apiKey: 'right-key' }).chat.completions.create({ model: MODEL, messages: USER_HELLO });
    expect(completion.choices[0]?.message.content).toBe(`${DEFAULT_REPLY_PREFIX}Hello there`);
  });

  it('answers a non-retryable 500 naming the problem when a script runs out', async () => {
    const server = await start({ chat: scriptedReplies([{ kind: 'text', text: 'only one' }]) });
    const client = clientFor(server, { maxRetries: 2 });
    await client.chat.completions.create({ model: MODEL, messages: USER_HELLO });
    const error = await rejectionOf(client.chat.completions.create({ model: MODEL, messages: USER_HELLO }));

    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as Error).message).toContain('scripted replies exhausted');
    expect(server.chatRequests()).toHaveLength(2);
  });
});

describe('concurrency', () => {
  it('reports the peak of in-flight chat requests, overall and per key', async () => {
    const server = await start({ latencyMs: 150 });
    const client = clientFor(server);
    const ask = (model: string): Promise<unknown> => client.chat.completions.create({ model, messages: USER_HELLO });

    await Promise.all([ask('model-a'), ask('model-a'), ask('model-b')]);
    await ask('model-a');

    expect(server.inFlightPeak()).toBe(3);
    const modelOf = (request: { body: unknown }): string => z.object({ model: z.string() }).parse(request.body).model;
    expect(server.inFlightPeak(modelOf)).toBe(2);
  });
});

describe('images', () => {
  it('returns n base64 PNGs by default', async () => {
    const server = await start();
    const result = await clientFor(server).images.generate({ model: 'gpt-image-1', prompt: 'a round table', n: 2 });

    expect(result.created).toBeGreaterThan(0);
    expect(result.data).toHaveLength(2);
    const first = result.data?.[0]?.b64_json;
    expect(first).toBeDefined();
    expect(await isPng(Buffer.from(first ?? '', 'base64'))).toBe(true);
    expect(server.imageRequests()[0]?.body).toEqual({ model: 'gpt-image-1', prompt: 'a round table', n: 2 });
  });

  it('returns URLs served by the fake when response_format is url, or when the reply says so', async () => {
    const server = await start();
    const result = await clientFor(server).images.generate({ model: 'dall-e-3', prompt: 'a round table', response_format: 'url' });

    const url = result.data?.[0]?.url;
    expect(url?.startsWith(server.url.replace(/\/v1$/, '/files/'))).toBe(true);
    const download = await fetch(url ?? '');
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(await isPng(Buffer.from(await download.arrayBuffer()))).toBe(true);

    server.setImages(() => ({ kind: 'url', count: 3 }));
    const overridden = await clientFor(server).images.generate({ model: 'gpt-image-1', prompt: 'three tables', n: 1 });
    expect(overridden.data?.map((image) => image.url !== undefined)).toEqual([true, true, true]);
    expect(new Set(overridden.data?.map((image) => image.url)).size).toBe(3);
  });

  it('answers image errors in OpenAI shape', async () => {
    const server = await start({ images: () => ({ kind: 'error', status: 400, code: 'content_policy_violation', message: 'Not allowed.' }) });
    const error = await rejectionOf(clientFor(server).images.generate({ model: 'gpt-image-1', prompt: 'forbidden' }));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, code: 'content_policy_violation' });
  });
});

describe('models and unknown routes', () => {
  it('lists models', async () => {
    const server = await start();
    const ids: string[] = [];
    for await (const model of clientFor(server).models.list()) ids.push(model.id);
    expect(ids).toContain(MODEL);
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models', body: undefined });
  });

  it('answers unknown routes with a 404 in OpenAI shape', async () => {
    const server = await start();
    const response = await fetch(`${server.url}/nothing-here`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { message: 'Invalid URL (POST /v1/nothing-here)', type: 'invalid_request_error', param: null, code: null } });
  });
});
