/**
 * The one function that maps a coded error to what the person sees: a short, true sentence, in
 * the session's language where the sentence is ours (`language`, default English). A
 * `publicMessage` is passed through as it was written where the error was thrown (English).
 */
import type { TableRoundError } from '../errors.ts';
import { t } from '../i18n/translate.ts';

export function describeForPerson(error: TableRoundError, language?: string): string {
  switch (error.code) {
    case 'internal':
      return t(language, 'error.internal');
    case 'redis_unavailable':
      return t(language, 'error.redisUnavailable');
    default:
      return error.publicMessage;
  }
}
