/**
 * Loosening is per source: the image provider's own settings let its http / private-address
 * URLs through and leave the platforms' downloads (Discord CDN, Slack files) as strict as ever;
 * the DOWNLOAD_ALLOW_* globals still loosen every source, as documented. A loopback server
 * stands in for both a self-hosted image provider and a "private" platform file link.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFrom } from '../config/load-config.ts';
import { downloadPolicy, imageProviderDownloadPolicy } from './download-policy.ts';
import { safeDownload } from './safe-download.ts';

let server: Server;
let url: string;
let hits = 0;

beforeAll(async () => {
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#369' } }).png().toBuffer();
  server = createServer((_request, response) => {
    hits += 1;
    response.writeHead(200, { 'content-type': 'image/png' }).end(png);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/image.png`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const download = (policy: ReturnType<typeof downloadPolicy>) => safeDownload(url, { allowedHosts: ['127.0.0.1'], ...policy, maxBytes: 100_000, timeoutMs: 5_000 });

describe('download loosening per source', () => {
  it('IMAGE_PROVIDER_ALLOW_* loosen the image provider only: a platform download to the same address is refused before connecting', async () => {
    const config = configFrom({ IMAGE_PROVIDER_ALLOW_HTTP: true, IMAGE_PROVIDER_ALLOW_PRIVATE_ADDRESSES: true });
    expect(downloadPolicy(config)).toEqual({ allowHttp: false, allowPrivateAddresses: false });
    expect(imageProviderDownloadPolicy(config)).toEqual({ allowHttp: true, allowPrivateAddresses: true });

    const before = hits;
    await expect(download(downloadPolicy(config))).rejects.toMatchObject({ code: 'image_download_failed', publicMessage: "I can't download images from that address." });
    expect(hits).toBe(before);
    expect((await download(imageProviderDownloadPolicy(config))).bytes.subarray(1, 4).toString()).toBe('PNG');
  });

  it('each image-provider setting loosens only its own rule', async () => {
    const httpOnly = configFrom({ IMAGE_PROVIDER_ALLOW_HTTP: true });
    expect(imageProviderDownloadPolicy(httpOnly)).toEqual({ allowHttp: true, allowPrivateAddresses: false });
    await expect(download(imageProviderDownloadPolicy(httpOnly))).rejects.toMatchObject({ code: 'image_download_failed' });
  });

  it('the DOWNLOAD_ALLOW_* globals still loosen every source (local stand-ins)', async () => {
    const config = configFrom({ DOWNLOAD_ALLOW_HTTP: true, DOWNLOAD_ALLOW_PRIVATE_ADDRESSES: true });
    expect(downloadPolicy(config)).toEqual({ allowHttp: true, allowPrivateAddresses: true });
    expect(imageProviderDownloadPolicy(config)).toEqual({ allowHttp: true, allowPrivateAddresses: true });
    expect((await download(downloadPolicy(config))).bytes.length).toBeGreaterThan(0);
  });

  it('are off by default: https only, public addresses only, for every source', () => {
    const config = configFrom({});
    expect(downloadPolicy(config)).toEqual({ allowHttp: false, allowPrivateAddresses: false });
    expect(imageProviderDownloadPolicy(config)).toEqual({ allowHttp: false, allowPrivateAddresses: false });
  });
});
