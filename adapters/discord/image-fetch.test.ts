import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { fetchImage } from './image-fetch.ts';

describe('fetchImage', () => {
  let server: Server;
  let base = '';
  let png: Buffer;
  /** The emulator-style config: the CDN is this loopback server, plain http. */
  const config = () => ({ DISCORD_CDN_URL: base, DOWNLOAD_ALLOW_HTTP: true, DOWNLOAD_ALLOW_PRIVATE_ADDRESSES: true });
  beforeAll(async () => {
    png = await sharp({ create: { width: 4, height: 4, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toBuffer();
    server = createServer((request, response) => {
      if (request.url === '/lying') {
        // No Content-Length: the cap must hold while streaming.
        response.writeHead(200, { 'content-type': 'image/png' });
        response.write(Buffer.alloc(800));
        response.end(Buffer.alloc(800));
        return;
      }
      if (request.url === '/page') {
        response.writeHead(200, { 'content-type': 'image/png' });
        response.end('<!doctype html><html><body>Sign in</body></html>');
        return;
      }
      response.writeHead(200, { 'content-type': 'image/png', 'content-length': String(png.length) });
      response.end(png);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('downloads within the cap', async () => {
    expect(await fetchImage({ kind: 'url', location: `${base}/ok`, filename: 'a.png', size: png.length }, 10_000, config())).toEqual(png);
  });
  it('refuses by announced size without downloading', async () => {
    await expect(fetchImage({ kind: 'url', location: 'http://127.0.0.1:1/never', filename: 'a.png', size: 5_000 }, 100, config())).rejects.toMatchObject({ code: 'image_too_large' });
  });
  it('stops streaming at the byte cap', async () => {
    await expect(fetchImage({ kind: 'url', location: `${base}/lying`, filename: 'a.png' }, 1_000, config())).rejects.toMatchObject({ code: 'image_too_large' });
  });
  it('refuses a host that is not the CDN, and a web page posing as an image', async () => {
    await expect(fetchImage({ kind: 'url', location: 'http://169.254.169.254/latest/meta-data/', filename: 'a.png' }, 10_000, config())).rejects.toMatchObject({ code: 'image_download_failed' });
    await expect(fetchImage({ kind: 'url', location: `${base}/page`, filename: 'a.png' }, 10_000, config())).rejects.toMatchObject({ code: 'image_not_image' });
  });
  it('with the production settings, refuses plain http and loopback even on the configured CDN host', async () => {
    await expect(fetchImage({ kind: 'url', location: `${base}/ok`, filename: 'a.png' }, 10_000, { ...config(), DOWNLOAD_ALLOW_HTTP: false })).rejects.toMatchObject({ code: 'image_download_failed' });
    await expect(fetchImage({ kind: 'url', location: `${base}/ok`, filename: 'a.png' }, 10_000, { ...config(), DOWNLOAD_ALLOW_PRIVATE_ADDRESSES: false })).rejects.toMatchObject({ code: 'image_download_failed' });
  });
});
