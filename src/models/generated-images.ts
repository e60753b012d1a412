/**
 * How much of an image provider's answer the bot will hold, and what it keeps of it.
 *
 * The hazard: an "OpenAI-compatible" endpoint decides the size of its answer. Asked for two
 * images it may return fifty (each would be posted, past SESSION_IMAGE_LIMIT), a `b64_json` of a
 * gigabyte (decoded in one piece), or a JSON body that never ends. So only the first `count`
 * images are kept, a `b64_json` longer than an IMAGE_MAX_BYTES image can be is refused before it
 * is decoded, and the whole answer is capped while it streams (bounded-body-fetch.ts).
 */
import { TableRoundError } from '../errors.ts';
import { catalogText } from '../i18n/translate.ts';
import { sniffImageFormat } from '../images/image-format.ts';
import { formatSize } from '../outbound/safe-download.ts';

/**
 * Room in an images answer for everything but the images' base64: the JSON envelope, revised
 * prompts, URLs, usage — and the `\/` escapes some servers write into base64.
 */
export const imageAnswerEnvelopeBytes = 4 * 1024 * 1024;

/** The longest base64 text that can decode to at most `maxBytes` bytes: 4 characters per 3 bytes, rounded up, plus padding. */
export function maxBase64Length(maxBytes: number): number {
  return Math.ceil((maxBytes * 4) / 3) + 4;
}

/** Byte cap on a whole images answer for `count` images of at most `imageMaxBytes` each. */
export function imageAnswerMaxBytes(imageMaxBytes: number, count: number): number {
  return imageAnswerEnvelopeBytes + count * maxBase64Length(imageMaxBytes);
}

/** The error an images answer over {@link imageAnswerMaxBytes} fails with; not retried (asking again would pay again). */
export function imageAnswerTooLarge(maxBytes: number): TableRoundError {
  return new TableRoundError('model_bad_output', `image model answer exceeded ${maxBytes} bytes; refused while streaming`, {
    text: catalogText('provider.imageAnswerTooLarge', { size: formatSize(maxBytes) }),
  });
}

/** The error an images answer still arriving after the whole-call timeout fails with: a provider failure like any timeout. */
export function imageAnswerTooSlow(model: string, deadlineMs: number): TableRoundError {
  return new TableRoundError('model_timeout', `the image model (${model}) answer was not complete within ${deadlineMs} ms`, {
    text: catalogText('model.timeout', { role: catalogText('model.roleImage'), model }),
  });
}

/** The first `count` items of an images answer; what a provider sends beyond the count asked for is dropped unread. */
export function firstRequested<Item>(data: readonly Item[] | undefined, count: number): Item[] {
  return (data ?? []).slice(0, Math.max(0, count));
}

/** Decodes one `b64_json` image: refused by its length before decoding when it cannot fit `maxBytes`, and refused unless it is an image. */
export function decodeGeneratedImage(base64: string, maxBytes: number): Buffer {
  const tooLarge = () =>
    new TableRoundError('image_too_large', `image model returned a b64_json of ${base64.length} characters (an image of at most ${maxBytes} bytes needs at most ${maxBase64Length(maxBytes)})`, {
      text: catalogText('provider.imageTooLarge', { size: formatSize(maxBytes) }),
    });
  if (base64.length > maxBase64Length(maxBytes)) throw tooLarge();
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length > maxBytes) throw tooLarge();
  return requireImage(bytes);
}

/** Bytes an image model returned are posted only if they are an image. */
function requireImage(bytes: Buffer): Buffer {
  if (sniffImageFormat(bytes).kind !== 'image') throw new TableRoundError('model_bad_output', 'image model returned bytes that are not an image', { text: catalogText('model.notAnImage') });
  return bytes;
}
