/**
 * The parts of every download's rules that come from configuration: whether plain http and
 * private addresses are allowed (both off unless an operator turns them on for a self-hosted
 * provider or a local stand-in), and the host of a configured URL.
 */
import type { Config } from '../config/config-schema.ts';
import type { DownloadRules } from './safe-download.ts';

export function downloadPolicy(config: Pick<Config, 'DOWNLOAD_ALLOW_HTTP' | 'DOWNLOAD_ALLOW_PRIVATE_ADDRESSES'>): Pick<DownloadRules, 'allowHttp' | 'allowPrivateAddresses'> {
  return { allowHttp: config.DOWNLOAD_ALLOW_HTTP, allowPrivateAddresses: config.DOWNLOAD_ALLOW_PRIVATE_ADDRESSES };
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
