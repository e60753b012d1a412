/**
 * Maps provider/SDK errors to our coded errors with a short, true sentence for the person (a
 * catalog text, `model.*` in src/i18n, said in the session's language). What an error *means* is
 * decided in error-class.ts; this module only words it.
 * - a context overflow → `model_context_exceeded`, naming the window when the provider did;
 * - another request refusal (400/413/422) → `model_request_invalid`; a content policy → `model_refused`;
 * - our own deadlines → `model_timeout`, saying which one ran out ("took too long to start
 *   answering" vs "stopped sending"); only the caller's abort reads "call was cancelled".
 */
import { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { TableRoundError } from '../errors.ts';
import { catalogText, type CatalogText } from '../i18n/translate.ts';
import { classifyModelError, contextLimitFrom } from './error-class.ts';
import type { ModelRole } from './model-roles.ts';
import { ModelTimeoutError } from './stream-deadline.ts';

const roleNames: Record<ModelRole, string> = { chat: 'chat', vision: 'vision', summary: 'summary', image: 'image' };
/** The role as the person's language names it ("the {role} model"). */
const roleTexts: Record<ModelRole, CatalogText> = {
  chat: catalogText('model.roleChat'),
  vision: catalogText('model.roleVision'),
  summary: catalogText('model.roleSummary'),
  image: catalogText('model.roleImage'),
};

/** Coded errors whose sentence for the person comes from the catalogs (`model.*`); the message, for logs, stays English. */
export function toModelError(error: unknown, role: ModelRole, model: string): TableRoundError {
  if (error instanceof TableRoundError) return error;
  const who = `the ${roleNames[role]} model (${model})`;
  const named = { role: roleTexts[role], model };
  if (error instanceof ModelTimeoutError) {
    return error.phase === 'first_token'
      ? new TableRoundError('model_timeout', `${who} sent no first token within ${error.afterMs} ms`, { cause: error, text: catalogText('model.slowStart', named) })
      : new TableRoundError('model_timeout', `${who} went silent for ${error.afterMs} ms mid-answer`, { cause: error, text: catalogText('model.stalled', named) });
  }
  const errorClass = classifyModelError(error);
  if (errorClass === 'context_exceeded') {
    const limit = contextLimitFrom(error);
    return new TableRoundError('model_context_exceeded', `${who} context window exceeded${limit ? ` (${limit} tokens)` : ''}: ${messageOf(error)}`, {
      cause: error,
      text: catalogText('model.contextExceeded', { ...named, limit: limit ? catalogText('model.contextLimit', { tokens: limit }) : '' }),
    });
  }
  if (errorClass === 'refused') {
    return new TableRoundError('model_refused', `${who} refused the request: ${messageOf(error)}`, { cause: error, text: catalogText('model.refused', named) });
  }
  if (errorClass === 'request_invalid') {
    const status = error instanceof APIError ? error.status : undefined;
    return new TableRoundError('model_request_invalid', `${who} rejected the request (${status ?? 'invalid'}): ${messageOf(error)}`, {
      cause: error,
      text: catalogText('model.requestInvalid', { ...named, status: status ? catalogText('model.httpStatus', { status }) : '' }),
    });
  }
  if (error instanceof APIConnectionTimeoutError || (errorClass === 'provider_failure' && error instanceof Error && /timed? ?out/i.test(error.message))) {
    return new TableRoundError('model_timeout', `${who} timed out`, { cause: error, text: catalogText('model.timeout', named) });
  }
  if (error instanceof APIUserAbortError || errorClass === 'cancelled') {
    return new TableRoundError('model_failed', `${who} call aborted`, { cause: error, text: catalogText('model.cancelled', named) });
  }
  if (error instanceof APIError) {
    const status = error.status;
    if (status === 429) {
      return new TableRoundError('model_rate_limited', `${who} rate-limited us (429)`, { cause: error, text: catalogText('model.rateLimited', named) });
    }
    if (status === 401 || status === 403) {
      return new TableRoundError('model_failed', `${who} rejected our credentials (${status})`, { cause: error, text: catalogText('model.credentials', named) });
    }
    if (status === 404) {
      return new TableRoundError('model_failed', `${who} not found (404)`, { cause: error, text: catalogText('model.notFound', named) });
    }
    return new TableRoundError('model_failed', `${who} failed with ${status ?? 'a connection error'}: ${error.message}`, {
      cause: error,
      text: status ? catalogText('model.failedHttp', { ...named, status }) : catalogText('model.failedConnection', named),
    });
  }
  return new TableRoundError('model_failed', `${who} failed: ${messageOf(error)}`, { cause: error, text: catalogText('model.failed', named) });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
