/** OpenAI's error body `{error:{message,type,code,param}}` and the headers that go with it. */
import type { ServerResponse } from 'node:http';

export interface OpenAIErrorOptions {
  status: number;
  message?: string;
  /** llama.cpp and vLLM send the HTTP status as a number here. */
  code?: string | number | null;
  type?: string;
  /** Extra members of the error object (llama.cpp's `n_prompt_tokens`, `n_ctx`). */
  fields?: Record<string, unknown>;
  /** Sets `retry-after` (seconds, as sent) and `retry-after-ms`. */
  retryAfterSeconds?: number;
}

/** The `type` OpenAI uses for a status: rate limits say `requests`, 5xx `server_error`, the rest `invalid_request_error`. */
function errorTypeFor(status: number): string {
  if (status === 429) return 'requests';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

function defaultMessageFor(status: number): string {
  if (status === 429) return 'Rate limit reached for requests (fake).';
  if (status >= 500) return 'The server had an error while processing your request (fake).';
  return `Request failed with status ${status} (fake).`;
}

function defaultCodeFor(status: number): string | null {
  return status === 429 ? 'rate_limit_exceeded' : null;
}

export function openAIErrorBody(options: OpenAIErrorOptions): { error: { message: string; type: string; param: null; code: string | number | null } & Record<string, unknown> } {
  return {
    error: {
      message: options.message ?? defaultMessageFor(options.status),
      type: options.type ?? errorTypeFor(options.status),
      param: null,
      code: options.code === undefined ? defaultCodeFor(options.status) : options.code,
      ...options.fields,
    },
  };
}

export function sendOpenAIError(response: ServerResponse, options: OpenAIErrorOptions): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(options.retryAfterSeconds);
    headers['retry-after-ms'] = String(Math.round(options.retryAfterSeconds * 1000));
  }
  response.writeHead(options.status, headers);
  response.end(JSON.stringify(openAIErrorBody(options)));
}
