/**
 * One coded error type. `code` drives what the person is told (see `describeForPerson`);
 * `cause` keeps the underlying error for logs. The message is for logs only: an error thrown
 * without a sentence for the person (`publicMessage` or `text`) tells them a generic line, never
 * its message (which may name hosts, ids or tokens).
 */
import { catalogText, renderText, type CatalogText } from './i18n/translate.ts';

export type ErrorCode =
  | 'config_invalid'
  | 'redis_unavailable'
  | 'model_not_configured'
  | 'model_failed'
  | 'model_rate_limited'
  | 'model_timeout'
  | 'model_bad_output'
  | 'model_refused'
  /** The prompt did not fit the model's context window (the provider said so). */
  | 'model_context_exceeded'
  /** The provider refused the request itself (400/413/422 …): not a sign the provider is sick. */
  | 'model_request_invalid'
  | 'panel_invalid'
  | 'panel_unknown'
  /** A character card that cannot become a persona (src/panels/character-card.ts). */
  | 'card_invalid'
  | 'session_missing'
  | 'session_exists'
  | 'session_ended'
  | 'not_allowed'
  | 'bad_command'
  | 'no_poll'
  | 'poll_exists'
  | 'image_too_large'
  | 'image_not_image'
  | 'image_unsupported'
  | 'image_corrupt'
  | 'image_too_many_pixels'
  | 'image_download_failed'
  | 'budget_exceeded'
  | 'rate_limited'
  | 'platform_failed'
  | 'step_abandoned'
  /** A step ran past STEP_DEADLINE_MS and was stopped. */
  | 'step_deadline'
  | 'internal';

export class TableRoundError extends Error {
  override readonly name = 'TableRoundError';
  readonly code: ErrorCode;
  /** A short, true sentence that may be shown to the person, in English; defaults to `text`'s, else a generic line (never the message). */
  readonly publicMessage: string;
  /** The same sentence from the catalogs, for `describeForPerson` to say in the session's language (the generic line when none was given). */
  readonly text: CatalogText | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; publicMessage?: string; text?: CatalogText } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.publicMessage === undefined) {
      this.text = options.text ?? catalogText('answer.generic');
      this.publicMessage = renderText('en', this.text);
    } else {
      this.text = options.text;
      this.publicMessage = options.publicMessage;
    }
  }
}

export function asTableRoundError(error: unknown, fallback: ErrorCode = 'internal'): TableRoundError {
  if (error instanceof TableRoundError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TableRoundError(fallback, message, { cause: error });
}
