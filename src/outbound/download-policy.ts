/**
 * The parts of every download's rules that come from configuration: whether plain http and
 * private addresses are allowed (both off unless an operator turns them on for a self-hosted
 * provider or a local stand-in), per source, and the host of a configured URL.
 *
 * Two sources: the platforms' own files (Discord CDN attachments, Slack `url_private`) and the
 * image provider's result URLs. Loosening is per source because the hazards differ: a self-hosted
 * image server on `http://10.0.0.5` is a reason to let *its* URLs through, never a reason to let a
 * Discord or Slack file link reach a private address. IMAGE_PROVIDER_ALLOW_* loosen the image
 * provider only; the DOWNLOAD_ALLOW_* globals (local stand-ins, tests) loosen every source, as
 * documented.
 */
import type { Config } from '../config/config-schema.ts';
import type { DownloadRules } from './safe-download.ts';

type Loosening = Pick<DownloadRules, 'allowHttp' | 'allowPrivateAddresses'>;

/** The rules for a platform's own files (Discord CDN, Slack files): only the DOWNLOAD_ALLOW_* globals loosen them. */
export function downloadPolicy(config: Pick<Config, 'DOWNLOAD_ALLOW_HTTP' | 'DOWNLOAD_ALLOW_PRIVATE_ADDRESSES'>): Loosening {
  return { allowHttp: config.DOWNLOAD_ALLOW_HTTP, allowPrivateAddresses: config.DOWNLOAD_ALLOW_PRIVATE_ADDRESSES };
}

/** The rules for image-generation result URLs: IMAGE_PROVIDER_ALLOW_* or the globals. */
export function imageProviderDownloadPolicy(
  config: Pick<Config, 'DOWNLOAD_ALLOW_HTTP' | 'DOWNLOAD_ALLOW_PRIVATE_ADDRESSES' | 'IMAGE_PROVIDER_ALLOW_HTTP' | 'IMAGE_PROVIDER_ALLOW_PRIVATE_ADDRESSES'>,
): Loosening {
  const global = downloadPolicy(config);
  return {
    allowHttp: global.allowHttp === true || config.IMAGE_PROVIDER_ALLOW_HTTP,
    allowPrivateAddresses: global.allowPrivateAddresses === true || config.IMAGE_PROVIDER_ALLOW_PRIVATE_ADDRESSES,
  };
}

/** The host name of a configured URL, as a one-element allow-list (empty when there is none). */
export function hostOf(url: string | undefined): string[] {
  if (!url) return [];
  try {
    return [new URL(url).hostname];
  } catch {
    return [];
  }
}
