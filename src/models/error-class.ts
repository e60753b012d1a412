/**
 * What a failed model call means, decided once for retries, the circuit breaker, the fallback
 * model and the message the person sees.
 *
 * - Request errors (`context_exceeded`, `refused`, `request_invalid`): the provider answered and
 *   said no to *this request* (400, 413, 422, a context overflow, a content policy). Sending it
 *   again gets the same answer, and it says nothing about the provider's health: never retried,
 *   never counted by the circuit breaker.
 * - `provider_failure`: 5xx, 408/409/429, connection errors, timeouts (ours and the SDK's),
 *   streams cut or stalled midway, empty completions. Retried with backoff and counted.
 * - `endpoint_rejected`: 401/403/404 — a wrong key, model or URL. Not retried (it will not heal by
 *   itself) but counted, so a misconfigured endpoint is not hammered by every session.
 * - `cancelled`: the caller's own abort. Neither retried nor counted.
 * - `unknown`: anything else (our own bugs included). Not retried; counted, as before this module.
 *
 * Hazard: a context overflow is recognised from the provider's *wording*, which differs per server
 * and moves between versions; the patterns below are the wordings published by OpenAI, vLLM,
 * llama.cpp, Ollama, Gemini, Anthropic and Mistral. It is checked before the status, because
 * llama.cpp and vLLM can report it inside a stream (no status at all) and some servers send it
 * as a 5xx. An unrecognised wording still ends up a request error when its status is 400/413/422.
 */
import { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import { TableRoundError } from '../errors.ts';
import { ModelTimeoutError } from './stream-deadline.ts';

export type ModelErrorClass = 'context_exceeded' | 'refused' | 'request_invalid' | 'provider_failure' | 'endpoint_rejected' | 'cancelled' | 'unknown';

/** Wordings of "the prompt does not fit the context window", one provider (or family) a line. */
const contextExceededWordings: readonly RegExp[] = [
  /context_length_exceeded/i, // OpenAI's error code (its message varies)
  /maximum context length/i, // OpenAI, vLLM ("This model's maximum context length is N tokens. However, you requested M tokens"), Mistral
  /exceed_context_size_error/i, // llama.cpp's error type
  /exceeds (?:the available )?context size/i, // llama.cpp: "request (8195 tokens) exceeds the available context size (8192 tokens)"
  /larger than the max context size/i, // older llama.cpp: "input (N tokens) is larger than the max context size (M tokens)"
  /prompt too long/i, // Ollama: "prompt too long; exceeded max context length by N tokens"
  /input length exceeds (?:the )?context length/i, // Ollama: "the input length exceeds the context length"
  /input token count.*exceeds the maximum number of tokens/i, // Gemini: "The input token count (N) exceeds the maximum number of tokens allowed (M)."
  /prompt is too long/i, // Anthropic and compatibles: "prompt is too long: N tokens > M maximum"
];

/** The window size a wording names, first capture group; tried in order. */
const contextWindowWordings: readonly RegExp[] = [
  /maximum context length is (\d+)/i, // OpenAI, vLLM
  /context size \((\d+) tokens?\)/i, // llama.cpp ("available context size (8192 tokens)", "max context size (…)")
  /maximum number of tokens allowed \((\d+)\)/i, // Gemini
  /tokens? > (\d+) maximum/i, // Anthropic
  /with (\d+) maximum context length/i, // Mistral: "too large for model with 32768 maximum context length"
];

const contentPolicyWordings = /content_policy|content_filter|safety|moderation/i;

export function classifyModelError(error: unknown): ModelErrorClass {
  if (error instanceof TableRoundError) return classOfCoded(error);
  if (error instanceof ModelTimeoutError) return 'provider_failure';
  if (error instanceof APIUserAbortError) return 'cancelled';
  if (error instanceof APIError) {
    const status = error.status;
    if (status !== 429 && isContextExceeded(error)) return 'context_exceeded';
    if (status === undefined || error instanceof APIConnectionError) return 'provider_failure';
    if (status === 408 || status === 409 || status === 429 || status >= 500) return 'provider_failure';
    if ((status === 400 || status === 422) && contentPolicyWordings.test(`${codeOf(error)} ${error.message}`)) return 'refused';
    if (status === 400 || status === 413 || status === 422) return 'request_invalid';
    if (status === 401 || status === 403 || status === 404) return 'endpoint_rejected';
    return 'unknown';
  }
  if (error instanceof Error && error.name === 'AbortError') return 'cancelled';
  // A stream cut midway surfaces as undici's TypeError ('terminated'), or a socket error.
  if (error instanceof TypeError || (error instanceof Error && /terminated|socket|ECONNRESET|EPIPE|timed? ?out|aborted due to timeout/i.test(error.message))) {
    return 'provider_failure';
  }
  return 'unknown';
}

function classOfCoded(error: TableRoundError): ModelErrorClass {
  switch (error.code) {
    case 'model_context_exceeded':
      return 'context_exceeded';
    case 'model_refused':
      return 'refused';
    case 'model_request_invalid':
      return 'request_invalid';
    case 'model_timeout':
    case 'model_rate_limited':
      return 'provider_failure';
    case 'model_bad_output':
      // An empty completion is a provider hiccup worth another try; a malformed one is not.
      return /empty/.test(error.message) ? 'provider_failure' : 'unknown';
    default:
      return 'unknown';
  }
}

/** True for the errors that say the provider (not our request) is in trouble: retried, and counted by the breaker. */
export function isProviderFailure(error: unknown): boolean {
  return classifyModelError(error) === 'provider_failure';
}

/** Whether a failure of this class counts towards opening the endpoint's circuit. */
export function countsAgainstProvider(errorClass: ModelErrorClass): boolean {
  return errorClass === 'provider_failure' || errorClass === 'endpoint_rejected' || errorClass === 'unknown';
}

export function isContextExceeded(error: unknown): boolean {
  const text = providerText(error);
  return text !== undefined && contextExceededWordings.some((wording) => wording.test(text));
}

/**
 * The context window (tokens) a context-overflow error names, when it names one: llama.cpp's
 * `n_ctx` field, else the number in the wording. Follows `cause`, so it works on the coded
 * `model_context_exceeded` error as well as on the provider's own. Ollama names only the excess
 * ("exceeded max context length by N tokens"): undefined.
 */
export function contextLimitFrom(error: unknown): number | undefined {
  let current = error;
  // The coded error wraps the provider's; a few links are plenty (and a cycle cannot hang us).
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current instanceof APIError && isContextExceeded(current)) return windowNamedBy(current);
    current = current.cause;
  }
  return undefined;
}

function windowNamedBy(error: APIError): number | undefined {
  const body = error.error as { n_ctx?: unknown } | undefined;
  if (typeof body?.n_ctx === 'number' && Number.isSafeInteger(body.n_ctx) && body.n_ctx > 0) return body.n_ctx;
  const text = providerText(error) ?? '';
  for (const wording of contextWindowWordings) {
    const tokens = Number(wording.exec(text)?.[1]);
    if (Number.isSafeInteger(tokens) && tokens > 0) return tokens;
  }
  return undefined;
}

/** Everything a provider said about an error: the message, its code and type, and the body. */
function providerText(error: unknown): string | undefined {
  if (!(error instanceof APIError)) return undefined;
  let body = '';
  try {
    body = error.error === undefined ? '' : JSON.stringify(error.error);
  } catch {
    // A body that cannot be serialised adds nothing.
  }
  return `${codeOf(error)} ${String(error.type ?? '')} ${error.message} ${body}`;
}

function codeOf(error: APIError): string {
  return error.code === undefined || error.code === null ? '' : String(error.code);
}
