/**
 * Maps provider/SDK errors to our coded errors with a short, true sentence for the person. What
 * an error *means* is decided in error-class.ts; this module only words it.
 * - a context overflow → `model_context_exceeded`, naming the window when the provider did;
 * - another request refusal (400/413/422) → `model_request_invalid`; a content policy → `model_refused`;
 * - our own deadlines → `model_timeout`, saying which one ran out ("took too long to start
 *   answering" vs "stopped sending"); only the caller's abort reads "call was cancelled".
 */
import { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { TableRoundError } from '../errors.ts';
import { classifyModelError, contextLimitFrom } from './error-class.ts';
import type { ModelRole } from './model-roles.ts';
import { ModelTimeoutError } from './stream-deadline.ts';

const roleNames: Record<ModelRole, string> = { chat: 'chat', vision: 'vision', summary: 'summary', image: 'image' };

export function toModelError(error: unknown, role: ModelRole, model: string): TableRoundError {
  if (error instanceof TableRoundError) return error;
  const who = `the ${roleNames[role]} model (${model})`;
  const Who = capitalise(who);
  if (error instanceof ModelTimeoutError) {
    return error.phase === 'first_token'
      ? new TableRoundError('model_timeout', `${who} sent no first token within ${error.afterMs} ms`, { cause: error, publicMessage: `${Who} took too long to start answering.` })
      : new TableRoundError('model_timeout', `${who} went silent for ${error.afterMs} ms mid-answer`, { cause: error, publicMessage: `${Who} stopped sending its answer partway through.` });
  }
  const errorClass = classifyModelError(error);
  if (errorClass === 'context_exceeded') {
    const limit = contextLimitFrom(error);
    return new TableRoundError('model_context_exceeded', `${who} context window exceeded${limit ? ` (${limit} tokens)` : ''}: ${messageOf(error)}`, {
      cause: error,
      publicMessage: `The conversation no longer fits ${who}'s context window${limit ? ` of ${limit} tokens` : ''}.`,
    });
  }
  if (errorClass === 'refused') {
    return new TableRoundError('model_refused', `${who} refused the request: ${messageOf(error)}`, { cause: error, publicMessage: `${Who} refused this request under its content policy.` });
  }
  if (errorClass === 'request_invalid') {
    const status = error instanceof APIError ? error.status : undefined;
    return new TableRoundError('model_request_invalid', `${who} rejected the request (${status ?? 'invalid'}): ${messageOf(error)}`, {
      cause: error,
      publicMessage: `${Who} rejected the request${status ? ` (HTTP ${status})` : ''}; the operator can find the reason in the logs.`,
    });
  }
  if (error instanceof APIConnectionTimeoutError || (errorClass === 'provider_failure' && error instanceof Error && /timed? ?out/i.test(error.message))) {
    return new TableRoundError('model_timeout', `${who} timed out`, { cause: error, publicMessage: `${Who} took too long to answer.` });
  }
  if (error instanceof APIUserAbortError || errorClass === 'cancelled') {
    return new TableRoundError('model_failed', `${who} call aborted`, { cause: error, publicMessage: `${Who} call was cancelled.` });
  }
  if (error instanceof APIError) {
    const status = error.status;
    if (status === 429) {
      return new TableRoundError('model_rate_limited', `${who} rate-limited us (429)`, { cause: error, publicMessage: `${Who} is rate-limiting us; try again in a minute.` });
    }
    if (status === 401 || status === 403) {
      return new TableRoundError('model_failed', `${who} rejected our credentials (${status})`, { cause: error, publicMessage: `${Who} rejected our API key; the operator needs to check it.` });
    }
    if (status === 404) {
      return new TableRoundError('model_failed', `${who} not found (404)`, { cause: error, publicMessage: `${Who} was not found at the configured endpoint.` });
    }
    return new TableRoundError('model_failed', `${who} failed with ${status ?? 'a connection error'}: ${error.message}`, {
      cause: error,
      publicMessage: `${Who} failed${status ? ` (HTTP ${status})` : ' (connection error)'}.`,
    });
  }
  return new TableRoundError('model_failed', `${who} failed: ${messageOf(error)}`, { cause: error, publicMessage: `${Who} failed.` });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
