/**
 * Downloads a shared file from `url_private` with the bot token. Hazard: without the token (or
 * without the `files:read` scope) Slack answers 200 with an HTML login page, not an error — the
 * body is sniffed so that such a page is reported, never passed on as an "image". The token is
 * only ever sent to Slack's own hosts (or the configured API host, e.g. the emulator).
 */
import type { ImageReference } from '../../src/adapter/inbound-event.ts';
import { TableRoundError } from '../../src/errors.ts';

const slackFileHosts = [/\.slack\.com$/i, /\.slack-edge\.com$/i, /^slack-files\.com$/i];

export function isTrustedFileUrl(location: string, apiUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return false;
  }
  // Same machine as the configured API (any port): a stand-in may serve files beside its API.
  if (url.hostname === new URL(apiUrl).hostname) return true;
  return url.protocol === 'https:' && slackFileHosts.some((pattern) => pattern.test(url.hostname));
}

export function looksLikeHtml(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 512).toString('utf8').trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html') || head.startsWith('<head') || head.startsWith('<body');
}

const downloadFailed = (reference: ImageReference, detail: string, cause?: unknown) =>
  new TableRoundError('image_download_failed', `Slack file download failed (${reference.filename}): ${detail}`, {
    ...(cause === undefined ? {} : { cause }),
    publicMessage: `I could not download “${reference.filename}” from Slack (${detail}). If this keeps happening, the app may be missing the files:read scope.`,
  });

export async function downloadSlackFile(reference: ImageReference, maxBytes: number, botToken: string, apiUrl: string): Promise<Buffer> {
  if (reference.kind !== 'url') throw new TableRoundError('image_download_failed', `the Slack adapter cannot read ${reference.kind} references`);
  if (reference.size !== undefined && reference.size > maxBytes) {
    throw new TableRoundError('image_too_large', `${reference.filename} is ${reference.size} bytes`, { publicMessage: `“${reference.filename}” is larger than ${Math.floor(maxBytes / 1024 / 1024)} MB.` });
  }
  if (!isTrustedFileUrl(reference.location, apiUrl)) throw downloadFailed(reference, 'not a Slack file address');
  let response: Response;
  try {
    response = await fetch(reference.location, { headers: { Authorization: `Bearer ${botToken}` }, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    throw downloadFailed(reference, 'the download did not complete', error);
  }
  if (!response.ok) throw downloadFailed(reference, `Slack answered ${response.status}`);
  if ((response.headers.get('content-type') ?? '').toLowerCase().includes('text/html')) {
    await response.body?.cancel();
    throw downloadFailed(reference, 'Slack sent a login page instead of the file');
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body ?? []) {
    total += (chunk as Uint8Array).length;
    if (total > maxBytes) {
      throw new TableRoundError('image_too_large', `${reference.filename} exceeds ${maxBytes} bytes`, { publicMessage: `“${reference.filename}” is larger than ${Math.floor(maxBytes / 1024 / 1024)} MB.` });
    }
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  const bytes = Buffer.concat(chunks);
  if (looksLikeHtml(bytes)) throw downloadFailed(reference, 'Slack sent a login page instead of the file');
  return bytes;
}
