import { describe, expect, it } from 'vitest';
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { CONTEXT_PROVIDERS, contextExceededReply } from '../../test/fake-openai/fake-openai-server.ts';
import { openAIErrorBody } from '../../test/fake-openai/openai-error.ts';
import { TableRoundError } from '../errors.ts';
import { classifyModelError, contextLimitFrom, countsAgainstProvider, isProviderFailure } from './error-class.ts';
import { toModelError } from './model-errors.ts';
import { ModelTimeoutError } from './stream-deadline.ts';

/** The error the SDK builds from an HTTP error answer (the same path as a real response). */
function httpError(status: number, body: object): APIError {
  return APIError.generate(status, body, undefined, new Headers());
}

function contextError(provider: (typeof CONTEXT_PROVIDERS)[number], promptTokens = 8195, contextTokens = 8192): APIError {
  const reply = contextExceededReply(provider, promptTokens, contextTokens);
  return httpError(reply.status, openAIErrorBody(reply));
}

describe('classifyModelError', () => {
  it.each(CONTEXT_PROVIDERS)('recognises a context overflow worded by %s', (provider) => {
    expect(classifyModelError(contextError(provider))).toBe('context_exceeded');
  });

  it('recognises llama.cpp reporting an overflow inside the stream (no status at all)', () => {
    const inStream = new APIError(undefined, { code: 400, message: 'request (9000 tokens) exceeds the available context size (8192 tokens), try increasing it', type: 'exceed_context_size_error', n_ctx: 8192 }, undefined, undefined);
    expect(classifyModelError(inStream)).toBe('context_exceeded');
    expect(contextLimitFrom(inStream)).toBe(8192);
  });

  it('sorts request errors from provider failures', () => {
    expect(classifyModelError(httpError(400, { error: { message: 'Invalid value for temperature' } }))).toBe('request_invalid');
    expect(classifyModelError(httpError(413, { error: { message: 'Request Entity Too Large' } }))).toBe('request_invalid');
    expect(classifyModelError(httpError(422, { error: { message: 'unprocessable' } }))).toBe('request_invalid');
    expect(classifyModelError(httpError(400, { error: { message: 'Blocked.', code: 'content_policy_violation' } }))).toBe('refused');
    for (const status of [408, 409, 429, 500, 502, 503]) expect(classifyModelError(httpError(status, { error: { message: 'x' } }))).toBe('provider_failure');
    expect(classifyModelError(new APIConnectionError({ message: 'Connection error.' }))).toBe('provider_failure');
    expect(classifyModelError(new APIConnectionTimeoutError())).toBe('provider_failure');
    expect(classifyModelError(new TypeError('terminated'))).toBe('provider_failure');
    expect(classifyModelError(new ModelTimeoutError('between_chunks', 90_000))).toBe('provider_failure');
    expect(classifyModelError(new TableRoundError('model_bad_output', 'm returned an empty completion'))).toBe('provider_failure');
    expect(classifyModelError(httpError(401, { error: { message: 'bad key' } }))).toBe('endpoint_rejected');
    expect(classifyModelError(new APIUserAbortError())).toBe('cancelled');
  });

  it('a 429 about tokens per minute is a rate limit, not a context overflow', () => {
    const rateLimit = httpError(429, { error: { message: 'Request too large for gpt-4o: maximum context length is 8192 tokens per min', code: 'rate_limit_exceeded' } });
    expect(classifyModelError(rateLimit)).toBe('provider_failure');
  });

  it('request errors and cancellations neither retry nor count against the provider', () => {
    for (const error of [contextError('llama.cpp'), httpError(400, { error: { message: 'bad' } }), new APIUserAbortError()]) {
      expect(isProviderFailure(error)).toBe(false);
      expect(countsAgainstProvider(classifyModelError(error))).toBe(false);
    }
    expect(isProviderFailure(httpError(503, { error: { message: 'overloaded' } }))).toBe(true);
    expect(countsAgainstProvider(classifyModelError(httpError(503, { error: { message: 'overloaded' } })))).toBe(true);
  });
});

describe('contextLimitFrom', () => {
  it.each([
    ['openai', 8192],
    ['vllm', 8192],
    ['llama.cpp', 8192],
    ['gemini', 8192],
    ['anthropic', 8192],
    ['ollama', undefined],
    ['ollama-input', undefined],
    ['llama.cpp-short', undefined],
  ] as const)('reads the window %s names: %s', (provider, expected) => {
    expect(contextLimitFrom(contextError(provider, 9000, 8192))).toBe(expected);
  });

  it('follows the cause of the coded error, and ignores other errors', () => {
    const coded = toModelError(contextError('llama.cpp', 8195, 4096), 'chat', 'qwen');
    expect(coded.code).toBe('model_context_exceeded');
    expect(contextLimitFrom(coded)).toBe(4096);
    expect(contextLimitFrom(httpError(400, { error: { message: 'maximum context length is 100 tokens' } }))).toBe(100);
    expect(contextLimitFrom(httpError(500, { error: { message: 'boom' } }))).toBeUndefined();
    expect(contextLimitFrom(new Error('maximum context length is 100'))).toBeUndefined();
  });
});

describe('toModelError', () => {
  it('words each class truthfully', () => {
    expect(toModelError(contextError('llama.cpp'), 'chat', 'qwen').publicMessage).toBe("The conversation no longer fits the chat model (qwen)'s context window of 8192 tokens.");
    expect(toModelError(httpError(400, { error: { message: 'bad' } }), 'chat', 'qwen')).toMatchObject({ code: 'model_request_invalid' });
    expect(toModelError(new ModelTimeoutError('first_token', 300_000), 'chat', 'qwen')).toMatchObject({ code: 'model_timeout', publicMessage: 'The chat model (qwen) took too long to start answering.' });
    expect(toModelError(new ModelTimeoutError('between_chunks', 90_000), 'chat', 'qwen')).toMatchObject({ code: 'model_timeout', publicMessage: 'The chat model (qwen) stopped sending its answer partway through.' });
    expect(toModelError(new APIUserAbortError(), 'chat', 'qwen').publicMessage).toBe('The chat model (qwen) call was cancelled.');
  });
});
