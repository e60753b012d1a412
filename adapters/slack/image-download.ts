/**
 * Downloads a shared file from `url_private` with the bot token, through the one safe download
 * (src/outbound/safe-download.ts): only Slack's file hosts (and the configured SLACK_API_URL's),
 * https unless configured, redirects re-checked, the token sent to the first host only, the byte
 * cap enforced while streaming, and the bytes sniffed as an image.
 *
 * Hazard: without the token (or without the `files:read` scope) Slack answers 200 with an HTML
 * login page, not an error — the sniff catches it, and the person is told what is likely wrong.
 */
import type { ImageReference } from '../../src/adapter/inbound-event.ts';
import type { Config } from '../../src/config/config-schema.ts';
import { TableRoundError } from '../../src/errors.ts';
import { downloadPolicy, hostOf } from '../../src/outbound/download-policy.ts';
import { safeDownload } from '../../src/outbound/safe-download.ts';

/** Where Slack serves `url_private` files. */
export const slackFileHosts = ['files.slack.com', '*.slack.com', '*.slack-edge.com'];

const downloadFailed = (reference: ImageReference, detail: string, cause?: unknown) =>
  new TableRoundError('image_download_failed', `Slack file download failed (${reference.filename}): ${detail}`, {
    ...(cause === undefined ? {} : { cause }),
    publicMessage: `I could not download “${reference.filename}” from Slack (${detail}). If this keeps happening, the app may be missing the files:read scope.`,
  });

/**
 * The workspace a shared file belongs to, from its `url_private`: Slack serves files at
 * `/files-pri/{team}-{file}/…`. Undefined for any other shape.
 */
export function teamOfFileUrl(location: string): string | undefined {
  try {
    return /^\/files-pri\/([A-Z0-9]+)-[A-Z0-9]+\//.exec(new URL(location).pathname)?.[1];
  } catch {
    return undefined;
  }
}

export type SlackDownloadConfig = Pick<Config, 'SLACK_API_URL' | 'DOWNLOAD_ALLOW_HTTP' | 'DOWNLOAD_ALLOW_PRIVATE_ADDRESSES'>;

export async function downloadSlackFile(reference: ImageReference, maxBytes: number, botToken: string, config: SlackDownloadConfig, signal?: AbortSignal, expect: 'image' | 'any' = 'image'): Promise<Buffer> {
  if (reference.kind !== 'url') throw new TableRoundError('image_download_failed', `the Slack adapter cannot read ${reference.kind} references`);
  if (reference.size !== undefined && reference.size > maxBytes) {
    throw new TableRoundError('image_too_large', `${reference.filename} is ${reference.size} bytes`, { publicMessage: `“${reference.filename}” is larger than ${Math.floor(maxBytes / 1024 / 1024)} MB.` });
  }
  try {
    const { bytes } = await safeDownload(reference.location, {
      allowedHosts: [...slackFileHosts, ...hostOf(config.SLACK_API_URL)],
      ...downloadPolicy(config),
      headers: { Authorization: `Bearer ${botToken}` },
      maxBytes,
      expect,
      timeoutMs: 30_000,
      ...(signal ? { signal } : {}),
    });
    return bytes;
  } catch (error) {
    if (error instanceof TableRoundError && error.code === 'image_not_image' && /html/.test(error.message)) throw downloadFailed(reference, 'Slack sent a login page instead of the file', error);
    throw error;
  }
}
