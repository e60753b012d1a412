/**
 * The gateway against the fake OpenAI server through the real SDK: what a failed call means
 * (request error vs sick provider), why an answer ended, the first-token and silence deadlines,
 * and how structured output is asked for. Timings are config values in ms, kept small.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { contextExceededReply, scriptedReplies, startFakeOpenAI, type ChatReply, type FakeOpenAI, type FakeOpenAIOptions, type RecordedRequest } from '../../test/fake-openai/fake-openai-server.ts';
import { configFrom } from '../config/load-config.ts';
import type { Config } from '../config/config-schema.ts';
import { TableRoundError } from '../errors.ts';
import { createLogger } from '../logging/logger.ts';
import { contextLimitFrom, ModelGateway } from './model-gateway.ts';

const logger = createLogger('silent');
const user = [{ role: 'user' as const, content: 'Hello' }];
let fake: FakeOpenAI | undefined;

afterEach(async () => {
  vi.unstubAllEnvs();
  await fake?.close();
  fake = undefined;
});

async function start(options: FakeOpenAIOptions): Promise<FakeOpenAI> {
  fake = await startFakeOpenAI(options);
  return fake;
}

/** Config validation keeps real timeouts ≥ 1 s; tests set smaller ones after it. */
function gateway(server: FakeOpenAI, settings: Record<string, string | number> = {}, timing: Partial<Pick<Config, 'MODEL_TIMEOUT_MS' | 'MODEL_FIRST_TOKEN_TIMEOUT_MS'>> = {}): ModelGateway {
  const config = configFrom({ OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'k', CHAT_MODEL: 'small', MODEL_MAX_RETRIES: 2, ...settings });
  return new ModelGateway({ ...config, MODEL_TIMEOUT_MS: 200, MODEL_FIRST_TOKEN_TIMEOUT_MS: 1_500, ...timing }, undefined, logger);
}

async function failureOf(promise: Promise<unknown>): Promise<TableRoundError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TableRoundError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

function bodyOf(request: RecordedRequest | undefined): Record<string, unknown> {
  return (request?.body ?? {}) as Record<string, unknown>;
}

function jsonSchemaSent(request: RecordedRequest | undefined): { strict?: boolean; schema?: Record<string, unknown> } | undefined {
  const format = bodyOf(request).response_format as { json_schema?: { strict?: boolean; schema?: Record<string, unknown> } } | undefined;
  return format?.json_schema;
}

const llamaOverflow = contextExceededReply('llama.cpp', 8195, 8192);

describe('request errors are not a sick provider', () => {
  it("a 400 context overflow in llama.cpp's wording is thrown at once: no retry, no fallback model, the window learned", async () => {
    const server = await start({ chat: () => llamaOverflow });
    const models = gateway(server, { FALLBACK_CHAT_MODEL: 'bigger' });

    const error = await failureOf(models.chat({ messages: user }));

    expect(error.code).toBe('model_context_exceeded');
    expect(error.publicMessage).toBe("The conversation no longer fits the chat model (small)'s context window of 8192 tokens.");
    expect(contextLimitFrom(error)).toBe(8192);
    expect(models.learnedContextTokens('small')).toBe(8192);
    expect(models.learnedContextTokens('bigger')).toBeUndefined();
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('ten context overflows in a row leave the circuit closed', async () => {
    const server = await start({ chat: () => llamaOverflow });
    const models = gateway(server, { MODEL_CIRCUIT_THRESHOLD: 3, MODEL_CIRCUIT_OPEN_MS: 2_000 });
    for (let call = 0; call < 10; call++) await failureOf(models.chat({ messages: user }));

    server.setChat(() => ({ kind: 'text', text: 'Short enough now.' }));
    const startedAt = Date.now();
    expect((await models.chat({ messages: user })).text).toBe('Short enough now.');
    expect(Date.now() - startedAt).toBeLessThan(1_000); // an open circuit would hold it 2 s
    expect(server.chatRequests()).toHaveLength(11);
  });

  it('other 400s become model_request_invalid, in json, vision and images too, and never open the circuit', async () => {
    const refusal: ChatReply = { kind: 'error', status: 400, message: 'Invalid value for temperature' };
    const server = await start({ chat: () => refusal, images: () => ({ kind: 'error', status: 422, message: 'size not supported' }) });
    const models = gateway(server, { MODEL_CIRCUIT_THRESHOLD: 2, MODEL_CIRCUIT_OPEN_MS: 5_000, MODEL_JSON_STRICT: 'false' });
    const startedAt = Date.now();
    for (let round = 0; round < 3; round++) {
      expect((await failureOf(models.json(z.object({ a: z.string() }), 'thing', { messages: user }))).code).toBe('model_request_invalid');
      expect((await failureOf(models.describeImage(Buffer.from('jpeg'), 'Describe.', {}))).code).toBe('model_request_invalid');
      expect((await failureOf(models.generateImages('a table', 1, {}))).code).toBe('model_request_invalid');
    }
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(server.chatRequests()).toHaveLength(6);
    expect(server.imageRequests()).toHaveLength(3);
  });

  it('still learns max_completion_tokens from a model that refuses max_tokens, within the same call', async () => {
    const server = await start({
      chat: (request) =>
        'max_tokens' in bodyOf(request)
          ? { kind: 'error', status: 400, message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead." }
          : { kind: 'text', text: 'Reasoned.' },
    });
    const models = gateway(server, { MODEL_MAX_TOKENS: 400 });
    expect((await models.chat({ messages: user })).text).toBe('Reasoned.');
    await models.chat({ messages: user });
    expect(server.chatRequests().map((request) => bodyOf(request).max_completion_tokens ?? `max_tokens ${String(bodyOf(request).max_tokens)}`)).toEqual(['max_tokens 400', 400, 400]);
  });

  it('a 503 still counts: retried, and after the threshold the next call waits for the circuit', async () => {
    const server = await start({ chat: () => ({ kind: 'error', status: 503 }) });
    const models = gateway(server, { MODEL_MAX_RETRIES: 1, MODEL_CIRCUIT_THRESHOLD: 2, MODEL_CIRCUIT_OPEN_MS: 600 });

    expect((await failureOf(models.chat({ messages: user }))).code).toBe('model_failed');
    expect(server.chatRequests()).toHaveLength(2);

    server.setChat(() => ({ kind: 'text', text: 'Back.' }));
    expect((await models.chat({ messages: user })).text).toBe('Back.');
    const [, secondFailure, recovered] = server.chatRequests();
    expect((recovered?.receivedAt ?? 0) - (secondFailure?.receivedAt ?? 0)).toBeGreaterThanOrEqual(550);
  });
});

describe('why an answer ended', () => {
  it('reports finish_reason length, stop, and other for a stream that gives none', async () => {
    const server = await start({
      chat: scriptedReplies<ChatReply>([
        { kind: 'text', text: 'This answer runs out of tok', finishReason: 'length' },
        { kind: 'text', text: 'A whole answer.' },
        { kind: 'text', text: 'No reason given.', finishReason: null },
      ]),
    });
    const models = gateway(server);
    expect(await models.chat({ messages: user })).toMatchObject({ text: 'This answer runs out of tok', finishReason: 'length' });
    expect((await models.chat({ messages: user })).finishReason).toBe('stop');
    expect((await models.chat({ messages: user })).finishReason).toBe('other');
  });

  it('json: an invalid answer cut off by the cap is asked again with a doubled cap, not a correction', async () => {
    const server = await start({
      chat: scriptedReplies<ChatReply>([
        { kind: 'text', text: '{"keywords": ["tea", "rou', finishReason: 'length' },
        { kind: 'json', value: { keywords: ['tea', 'round table'] } },
      ]),
    });
    const models = gateway(server, { MODEL_JSON_MODE: 'prompt' });

    const result = await models.json(z.object({ keywords: z.array(z.string()) }), 'keywords', { messages: user, maxTokens: 300 });

    const [first, second] = server.chatRequests();
    expect([bodyOf(first).max_tokens, bodyOf(second).max_tokens]).toEqual([300, 600]);
    expect(bodyOf(second).messages).toEqual(bodyOf(first).messages);
    expect(result).toMatchObject({ value: { keywords: ['tea', 'round table'] }, outcome: 'retried', finishReason: 'stop' });
    expect(result.usage.completionTokens).toBeGreaterThan(0);
  });

  it('json: an invalid answer that finished gets the corrective retry with the same cap; a valid one is accepted', async () => {
    const server = await start({
      chat: scriptedReplies<ChatReply>([
        { kind: 'json', value: { keywords: 'tea' } },
        { kind: 'json', value: { keywords: ['tea'] } },
        { kind: 'json', value: { keywords: ['again'] } },
      ]),
    });
    const models = gateway(server, { MODEL_JSON_MODE: 'prompt', MODEL_MAX_TOKENS: 250 });
    const schema = z.object({ keywords: z.array(z.string()) });

    expect(await models.json(schema, 'keywords', { messages: user })).toMatchObject({ value: { keywords: ['tea'] }, outcome: 'retried' });
    const [first, second] = server.chatRequests();
    expect([bodyOf(first).max_tokens, bodyOf(second).max_tokens]).toEqual([250, 250]);
    expect((bodyOf(second).messages as unknown[]).length).toBe((bodyOf(first).messages as unknown[]).length + 2);
    expect(await models.json(schema, 'keywords', { messages: user })).toMatchObject({ outcome: 'accepted', finishReason: 'stop' });
  });
});

describe('first token and silence', () => {
  it('a first token slower than MODEL_TIMEOUT_MS, within MODEL_FIRST_TOKEN_TIMEOUT_MS, is waited for: one request', async () => {
    const server = await start({ chat: () => ({ kind: 'text', text: 'Read the long prompt.', firstTokenDelayMs: 600 }) });
    const models = gateway(server, {}, { MODEL_TIMEOUT_MS: 200, MODEL_FIRST_TOKEN_TIMEOUT_MS: 1_500 });
    expect((await models.chat({ messages: user })).text).toBe('Read the long prompt.');
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('headers that take longer than MODEL_TIMEOUT_MS do not trip the SDK timeout either', async () => {
    const server = await start({ latencyMs: 600, chat: () => ({ kind: 'text', text: 'Headers came late.' }) });
    const models = gateway(server, {}, { MODEL_TIMEOUT_MS: 200, MODEL_FIRST_TOKEN_TIMEOUT_MS: 1_500 });
    expect((await models.chat({ messages: user })).text).toBe('Headers came late.');
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('a stream that stalls after its first chunk times out as model_timeout, "stopped sending"', async () => {
    const server = await start({ chat: () => ({ kind: 'text', text: 'The first words and then nothing at all.', chunkSize: 8, stallAfterChunks: 1 }) });
    const models = gateway(server, { MODEL_MAX_RETRIES: 0 }, { MODEL_TIMEOUT_MS: 200, MODEL_FIRST_TOKEN_TIMEOUT_MS: 1_500 });
    const seen: string[] = [];
    const error = await failureOf(models.chat({ messages: user, onText: (text) => void seen.push(text) }));
    expect(error).toMatchObject({ code: 'model_timeout', publicMessage: 'The chat model (small) stopped sending its answer partway through.' });
    expect(seen).toContain('The firs');
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('onText returning true ends the stream there: the text so far, finish reason "enough", its tokens estimated', async () => {
    const server = await start({ chat: () => ({ kind: 'text', text: `${'Felt is warm. '.repeat(40)}And the rest nobody reads.`, chunkSize: 14 }) });
    const models = gateway(server);
    const seen: string[] = [];
    const result = await models.chat({ messages: user, onText: (text) => (seen.push(text), text.length >= 140) });
    expect(result.finishReason).toBe('enough');
    expect(result.text).toBe('Felt is warm. '.repeat(10).trim());
    expect(seen.at(-1)).toBe('Felt is warm. '.repeat(10));
    expect(result.usage.completionTokens).toBeGreaterThan(0);
  });

  it('no first token within MODEL_FIRST_TOKEN_TIMEOUT_MS is model_timeout, "took too long to start answering" — not "cancelled"', async () => {
    const server = await start({ chat: () => ({ kind: 'hang' }) });
    const models = gateway(server, { MODEL_MAX_RETRIES: 0 }, { MODEL_TIMEOUT_MS: 200, MODEL_FIRST_TOKEN_TIMEOUT_MS: 400 });
    const error = await failureOf(models.chat({ messages: user }));
    expect(error).toMatchObject({ code: 'model_timeout', publicMessage: 'The chat model (small) took too long to start answering.' });
  });

  it("the caller's abort stays an abort: not retried, no fallback model", async () => {
    const server = await start({ chat: () => ({ kind: 'hang' }) });
    const models = gateway(server, { FALLBACK_CHAT_MODEL: 'bigger' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await failureOf(models.chat({ messages: user, signal: controller.signal }));
    expect(error.publicMessage).toBe('The chat model (small) call was cancelled.');
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('a non-streamed json call may take the first-token wait plus one silence', async () => {
    const server = await start({ chat: scriptedReplies<ChatReply>([{ kind: 'text', text: '{"a":"late"}', firstTokenDelayMs: 400 }, { kind: 'hang' }]) });
    const models = gateway(server, { MODEL_MAX_RETRIES: 0, MODEL_JSON_MODE: 'prompt' }, { MODEL_TIMEOUT_MS: 200, MODEL_FIRST_TOKEN_TIMEOUT_MS: 300 });
    const schema = z.object({ a: z.string() });
    expect((await models.json(schema, 'thing', { messages: user })).value).toEqual({ a: 'late' });

    const startedAt = Date.now();
    expect((await failureOf(models.json(schema, 'thing', { messages: user }))).code).toBe('model_timeout');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(450);
  });
});

describe('structured output format', () => {
  const ballot = z.object({ choices: z.array(z.union([z.literal(1), z.literal(2), z.literal(3)])).min(1).max(2), reason: z.string().max(400).optional() });

  it('sends strict for OpenAI in auto, and drops it for the rest of the process once refused', async () => {
    const server = await start({
      chat: (request) =>
        jsonSchemaSent(request)?.strict === true
          ? { kind: 'error', status: 400, message: "Invalid schema for response_format 'ballot': strict mode is not supported for this model" }
          : { kind: 'json', value: { choices: [2] } },
    });
    // No base URL is OpenAI's own endpoint; the SDK's OPENAI_BASE_URL sends it to the fake instead.
    vi.stubEnv('OPENAI_BASE_URL', server.url);
    const config = configFrom({ OPENAI_API_KEY: 'k', CHAT_MODEL: 'small', MODEL_JSON_STRICT: 'auto' });
    const models = new ModelGateway(config, undefined, logger);

    const result = await models.json(ballot, 'ballot', { messages: user });
    const [strict, relaxed] = server.chatRequests();
    expect(jsonSchemaSent(strict)?.strict).toBe(true);
    expect(result).toMatchObject({ value: { choices: [2] }, outcome: 'accepted' });
    const strictSchema = jsonSchemaSent(strict)?.schema as { required: string[]; additionalProperties: boolean; properties: { choices: { items: unknown } } };
    expect(strictSchema).toMatchObject({ required: ['choices', 'reason'], additionalProperties: false });
    expect(strictSchema.properties.choices.items).toEqual({ type: 'number', enum: [1, 2, 3] });
    expect(jsonSchemaSent(relaxed)?.strict).toBe(false);
    expect(JSON.stringify(jsonSchemaSent(relaxed)?.schema)).toContain('"const":3');

    await models.json(ballot, 'ballot', { messages: user });
    expect(server.chatRequests()).toHaveLength(3);
    expect(jsonSchemaSent(server.chatRequests()[2])?.strict).toBe(false);
  });

  it('falls back to the prompt instruction for an endpoint that refuses json_schema altogether', async () => {
    const server = await start({
      chat: (request) =>
        bodyOf(request).response_format ? { kind: 'error', status: 400, message: 'response_format type json_schema is not supported by this server' } : { kind: 'json', value: { choices: [1, 3] } },
    });
    const models = gateway(server, { MODEL_JSON_STRICT: 'auto' });

    expect((await models.json(ballot, 'ballot', { messages: user })).value).toEqual({ choices: [1, 3] });
    await models.json(ballot, 'ballot', { messages: user });
    expect(server.chatRequests().map((request) => bodyOf(request).response_format !== undefined)).toEqual([true, false, false]);
    const instruction = (bodyOf(server.chatRequests()[1]).messages as { content: string }[]).at(-1)?.content;
    expect(instruction).toContain('"const":2');
  });

  it('in strict mode a null for an optional property counts as absent', async () => {
    const server = await start({ chat: () => ({ kind: 'json', value: { choices: [3], reason: null } }) });
    const models = gateway(server, { MODEL_JSON_STRICT: 'true' });
    expect(await models.json(ballot, 'ballot', { messages: user })).toMatchObject({ value: { choices: [3] }, outcome: 'accepted' });
    expect(jsonSchemaSent(server.chatRequests()[0])?.strict).toBe(true);
    expect(server.chatRequests()).toHaveLength(1);
  });
});
