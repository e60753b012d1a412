/**
 * The one function that maps a coded error to what the person sees: a short, true sentence.
 */
import type { TableRoundError } from '../errors.ts';

export function describeForPerson(error: TableRoundError): string {
  switch (error.code) {
    case 'internal':
      return 'Something went wrong on our side; the session is intact — try again.';
    case 'redis_unavailable':
      return 'Our memory store is unreachable right now; please try again in a moment.';
    default:
      return error.publicMessage;
  }
}
