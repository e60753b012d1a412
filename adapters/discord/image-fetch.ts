/**
 * Downloads an attachment people shared, for the image intake: refused by the announced size
 * first, then through the one safe download (src/outbound/safe-download.ts) — only from Discord's
 * CDN hosts (and the configured DISCORD_CDN_URL's), https unless configured, redirects re-checked,
 * the byte cap enforced while streaming, and the bytes sniffed as an image.
 */
import type { ImageReference } from '../../src/adapter/inbound-event.ts';
import type { Config } from '../../src/config/config-schema.ts';
import { TableRoundError } from '../../src/errors.ts';
import { downloadPolicy, hostOf } from '../../src/outbound/download-policy.ts';
import { safeDownload } from '../../src/outbound/safe-download.ts';

const downloadTimeoutMs = 30_000;
/** Where Discord serves attachments. */
export const discordCdnHosts = ['cdn.discordapp.com', 'media.discordapp.net'];

function tooLarge(size: number, maxBytes: number): TableRoundError {
  const megabytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  return new TableRoundError('image_too_large', `image of ${size} bytes exceeds ${maxBytes}`, {
    publicMessage: `That image is larger than ${megabytes(maxBytes)} MB, so I skipped it.`,
  });
}

export async function fetchImage(reference: ImageReference, maxBytes: number, config: Pick<Config, 'DISCORD_CDN_URL' | 'DOWNLOAD_ALLOW_HTTP' | 'DOWNLOAD_ALLOW_PRIVATE_ADDRESSES'>, signal?: AbortSignal, expect: 'image' | 'any' = 'image'): Promise<Buffer> {
  if (reference.size !== undefined && reference.size > maxBytes) throw tooLarge(reference.size, maxBytes);
  if (reference.kind !== 'url') throw new TableRoundError('image_download_failed', `the Discord adapter cannot read ${reference.kind} references`, { publicMessage: "I couldn't download that image." });
  const { bytes } = await safeDownload(reference.location, {
    allowedHosts: [...discordCdnHosts, ...hostOf(config.DISCORD_CDN_URL)],
    ...downloadPolicy(config),
    maxBytes,
    expect,
    timeoutMs: downloadTimeoutMs,
    ...(signal ? { signal } : {}),
  });
  return bytes;
}
