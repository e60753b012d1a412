/** Maps provider/SDK errors to our coded errors with a short, true sentence for the person. */
import { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { TableRoundError } from '../errors.ts';
import type { ModelRole } from './model-roles.ts';

const roleNames: Record<ModelRole, string> = { chat: 'chat', vision: 'vision', summary: 'summary', image: 'image' };

export function toModelError(error: unknown, role: ModelRole, model: string): TableRoundError {
  if (error instanceof TableRoundError) return error;
  const who = `the ${roleNames[role]} model (${model})`;
  if (error instanceof APIConnectionTimeoutError || (error instanceof Error && /timed? ?out/i.test(error.message))) {
    return new TableRoundError('model_timeout', `${who} timed out`, { cause: error, publicMessage: `${capitalise(who)} took too long to answer.` });
  }
  if (error instanceof APIUserAbortError) {
    return new TableRoundError('model_failed', `${who} call aborted`, { cause: error, publicMessage: `${capitalise(who)} call was cancelled.` });
  }
  if (error instanceof APIError) {
    const status = error.status;
    const code = typeof error.code === 'string' ? error.code : '';
    if (status === 429) {
      return new TableRoundError('model_rate_limited', `${who} rate-limited us (429)`, { cause: error, publicMessage: `${capitalise(who)} is rate-limiting us; try again in a minute.` });
    }
    if (status === 400 && /content_policy|safety|moderation/i.test(`${code} ${error.message}`)) {
      return new TableRoundError('model_refused', `${who} refused the request: ${error.message}`, { cause: error, publicMessage: `${capitalise(who)} refused this request under its content policy.` });
    }
    if (status === 401 || status === 403) {
      return new TableRoundError('model_failed', `${who} rejected our credentials (${status})`, { cause: error, publicMessage: `${capitalise(who)} rejected our API key; the operator needs to check it.` });
    }
    if (status === 404) {
      return new TableRoundError('model_failed', `${who} not found (404)`, { cause: error, publicMessage: `${capitalise(who)} was not found at the configured endpoint.` });
    }
    return new TableRoundError('model_failed', `${who} failed with ${status ?? 'a connection error'}: ${error.message}`, {
      cause: error,
      publicMessage: `${capitalise(who)} failed${status ? ` (HTTP ${status})` : ' (connection error)'}.`,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TableRoundError('model_failed', `${who} failed: ${message}`, { cause: error, publicMessage: `${capitalise(who)} failed.` });
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
