/**
 * "Your prompt does not fit the context window" as each provider words it, as fake replies. The
 * wordings are the servers' own (from their sources and published error reports); a client that
 * recognises context overflows should be tested against all of them.
 */
import type { ChatReply } from './fake-openai-types.ts';

export type ContextProvider = 'openai' | 'vllm' | 'llama.cpp' | 'llama.cpp-short' | 'ollama' | 'ollama-input' | 'gemini' | 'anthropic';

export const CONTEXT_PROVIDERS: readonly ContextProvider[] = ['openai', 'vllm', 'llama.cpp', 'llama.cpp-short', 'ollama', 'ollama-input', 'gemini', 'anthropic'];

/**
 * A 400 refusing a prompt of `promptTokens` for a window of `contextTokens`. Ollama's wordings name
 * only the excess (`ollama`) or nothing at all (`ollama-input`), and `llama.cpp-short` (the
 * server's message when the request is too long to even evaluate) names no numbers.
 */
export function contextExceededReply(provider: ContextProvider, promptTokens: number, contextTokens: number): Extract<ChatReply, { kind: 'error' }> {
  switch (provider) {
    case 'openai':
      return {
        kind: 'error',
        status: 400,
        code: 'context_length_exceeded',
        message: `This model's maximum context length is ${contextTokens} tokens. However, your messages resulted in ${promptTokens} tokens. Please reduce the length of the messages.`,
      };
    case 'vllm':
      return {
        kind: 'error',
        status: 400,
        code: 400,
        type: 'BadRequestError',
        message: `This model's maximum context length is ${contextTokens} tokens. However, you requested ${promptTokens} tokens (${promptTokens - 512} in the messages, 512 in the completion). Please reduce the length of the messages or completion.`,
      };
    case 'llama.cpp':
      return {
        kind: 'error',
        status: 400,
        code: 400,
        type: 'exceed_context_size_error',
        message: `request (${promptTokens} tokens) exceeds the available context size (${contextTokens} tokens), try increasing it`,
        fields: { n_prompt_tokens: promptTokens, n_ctx: contextTokens },
      };
    case 'llama.cpp-short':
      return { kind: 'error', status: 400, code: 400, type: 'invalid_request_error', message: 'the request exceeds the available context size, try increasing it' };
    case 'ollama':
      return { kind: 'error', status: 400, type: 'invalid_request_error', message: `prompt too long; exceeded max context length by ${promptTokens - contextTokens} tokens` };
    case 'ollama-input':
      return { kind: 'error', status: 400, type: 'api_error', message: 'the input length exceeds the context length' };
    case 'gemini':
      return {
        kind: 'error',
        status: 400,
        code: 400,
        type: 'INVALID_ARGUMENT',
        message: `The input token count (${promptTokens}) exceeds the maximum number of tokens allowed (${contextTokens}).`,
      };
    case 'anthropic':
      return { kind: 'error', status: 400, type: 'invalid_request_error', message: `prompt is too long: ${promptTokens} tokens > ${contextTokens} maximum` };
  }
}
