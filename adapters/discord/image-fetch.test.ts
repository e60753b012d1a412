import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchImage } from './image-fetch.ts';

describe('fetchImage', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/lying') {
        // No Content-Length: the cap must hold while streaming.
        response.writeHead(200, { 'content-type': 'image/png' });
        response.write(Buffer.alloc(800));
        response.end(Buffer.alloc(800));
        return;
      }
      response.writeHead(200, { 'content-type': 'image/png', 'content-length': '10' });
      response.end(Buffer.alloc(10, 1));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('downloads within the cap', async () => {
    expect((await fetchImage({ kind: 'url', location: `${base}/ok`, filename: 'a.png', size: 10 }, 100)).length).toBe(10);
  });
  it('refuses by announced size without downloading', async () => {
    await expect(fetchImage({ kind: 'url', location: 'http://127.0.0.1:1/never', filename: 'a.png', size: 5_000 }, 100)).rejects.toMatchObject({ code: 'image_too_large' });
  });
  it('stops streaming at the byte cap', async () => {
    await expect(fetchImage({ kind: 'url', location: `${base}/lying`, filename: 'a.png' }, 1_000)).rejects.toMatchObject({ code: 'image_too_large' });
  });
});
