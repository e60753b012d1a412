/**
 * The one function that maps a coded error to what the person sees: a short, true sentence, in
 * the session's language (`language`, default English) wherever the sentence is ours — a fixed
 * one for codes that always read the same, else the catalog text the error was thrown with
 * (model errors, image refusals, a refused post …, and the generic line of an error thrown with no
 * sentence for the person: src/errors.ts). Only a `publicMessage` written without a catalog text
 * (image intake, downloads) is passed through as it was written (English). Adapters answer people
 * through this function, never by reading `publicMessage` themselves.
 */
import type { TableRoundError } from '../errors.ts';
import { renderText, t } from '../i18n/translate.ts';

export function describeForPerson(error: TableRoundError, language?: string): string {
  switch (error.code) {
    case 'internal':
      return t(language, 'error.internal');
    case 'redis_unavailable':
      return t(language, 'error.redisUnavailable');
    case 'step_abandoned':
      return t(language, 'step.abandoned');
    default:
      return error.text ? renderText(language, error.text) : error.publicMessage;
  }
}
