/**
 * Downloads an attachment for the image intake: refuses by the announced size first, then
 * streams with a byte cap (a lying or missing Content-Length cannot make us read more).
 */
import { readFile, stat } from 'node:fs/promises';
import type { ImageReference } from '../../src/adapter/inbound-event.ts';
import { TableRoundError } from '../../src/errors.ts';

const downloadTimeoutMs = 30_000;

function tooLarge(size: number, maxBytes: number): TableRoundError {
  const megabytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  return new TableRoundError('image_too_large', `image of ${size} bytes exceeds ${maxBytes}`, {
    publicMessage: `That image is larger than ${megabytes(maxBytes)} MB, so I skipped it.`,
  });
}

export async function fetchImage(reference: ImageReference, maxBytes: number): Promise<Buffer> {
  if (reference.size !== undefined && reference.size > maxBytes) throw tooLarge(reference.size, maxBytes);
  if (reference.kind === 'path') {
    const info = await stat(reference.location);
    if (info.size > maxBytes) throw tooLarge(info.size, maxBytes);
    return readFile(reference.location);
  }
  const url = new URL(reference.location);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TableRoundError('image_download_failed', `refusing to fetch ${url.protocol} URL`, { publicMessage: "I couldn't download that image." });
  }
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(downloadTimeoutMs), redirect: 'follow' });
  } catch (error) {
    throw new TableRoundError('image_download_failed', `download failed: ${String(error)}`, { cause: error, publicMessage: "I couldn't download that image." });
  }
  if (!response.ok || !response.body) {
    throw new TableRoundError('image_download_failed', `download answered ${response.status}`, { publicMessage: "I couldn't download that image (it may have expired)." });
  }
  const announced = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(announced) && announced > maxBytes) {
    await response.body.cancel();
    throw tooLarge(announced, maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(total, maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
