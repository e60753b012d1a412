/**
 * Real loopback HTTP servers (127.0.0.1, port 0) stand in for the CDN, the "metadata service" and
 * the misbehaving providers. `node:dns/promises` and `node:http`'s `request` are wrapped in spies
 * that call the real functions, so a test can make a name resolve to a chosen address and can
 * prove that no request was even attempted.
 */
import { lookup } from 'node:dns/promises';
import { createServer, request as httpRequest } from 'node:http';
import type * as DnsPromises from 'node:dns/promises';
import type * as Http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TableRoundError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import { safeDownload } from './safe-download.ts';
import type { DownloadRules } from './safe-download.ts';

vi.mock('node:dns/promises', async (importOriginal) => {
  const original = await importOriginal<typeof DnsPromises>();
  const spy = vi.fn(original.lookup);
  return { ...original, lookup: spy, default: { ...original, lookup: spy } };
});

vi.mock('node:http', async (importOriginal) => {
  const original = await importOriginal<typeof Http>();
  const spy = vi.fn(original.request);
  return { ...original, request: spy, default: { ...original, request: spy } };
});

const realLookup = (await vi.importActual<typeof DnsPromises>('node:dns/promises')).lookup;

interface TestServer {
  /** `http://127.0.0.1:<port><path>`, or with another host name spelling the same machine. */
  url: (path: string, hostname?: string) => string;
  port: number;
  connections: () => number;
  requests: { path: string; headers: IncomingHttpHeaders }[];
  close: () => Promise<void>;
}

const openServers: TestServer[] = [];

async function startServer(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<TestServer> {
  const server = createServer();
  let connectionCount = 0;
  const requests: TestServer['requests'] = [];
  server.on('connection', () => (connectionCount += 1));
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    requests.push({ path: request.url ?? '', headers: request.headers });
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const testServer: TestServer = {
    url: (path, hostname = '127.0.0.1') => `http://${hostname}:${port}${path}`,
    port,
    connections: () => connectionCount,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  openServers.push(testServer);
  return testServer;
}

afterEach(async () => {
  await Promise.all(openServers.splice(0).map((server) => server.close()));
  vi.mocked(lookup).mockImplementation(realLookup);
  vi.mocked(lookup).mockClear();
  vi.mocked(httpRequest).mockClear();
});

/** Makes `lookup(name, { all: true })` answer from `table`; other names go to the real resolver. */
function resolveNames(table: Record<string, string[]>): void {
  const fake = async (hostname: string, options?: unknown) => {
    const addresses = table[hostname];
    if (!addresses) return (realLookup as (name: string, options?: unknown) => Promise<unknown>)(hostname, options);
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  vi.mocked(lookup).mockImplementation(fake as typeof lookup);
}

async function failureOf(download: Promise<unknown>): Promise<TableRoundError> {
  const error = await download.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof TableRoundError)) throw new Error(`expected a TableRoundError, got ${String(error)}`);
  return error;
}

async function expectFailure(download: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<TableRoundError> {
  const error = await failureOf(download);
  expect(error.code, error.message).toBe(code);
  if (message) expect(error.message).toMatch(message);
  return error;
}

/** Rules for a loopback stand-in: plain http and private addresses allowed, 127.0.0.1 only. */
const loopbackRules: DownloadRules = { allowedHosts: ['127.0.0.1'], allowHttp: true, allowPrivateAddresses: true, maxBytes: 1024 * 1024, timeoutMs: 10_000 };

let png: Buffer;
beforeAll(async () => {
  png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toBuffer();
});

function servePng(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
  response.end(png);
}

/** A "cloud metadata service" whose answer must never be fetched. */
function startMetadataServer(): Promise<TestServer> {
  return startServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('AccessKeyId: AKIA-SECRET');
  });
}

describe('safeDownload: addresses and hosts', () => {
  it('refuses a loopback server even when its IP is in allowedHosts, unless private addresses are allowed', async () => {
    const metadata = await startMetadataServer();
    await expectFailure(safeDownload(metadata.url('/latest/meta-data/'), { ...loopbackRules, allowPrivateAddresses: false }), 'image_download_failed', /loopback/);
    // The same URL spelled as a bare number: the URL parser turns it into 127.0.0.1, still refused.
    await expectFailure(safeDownload(`http://2130706433:${metadata.port}/latest/meta-data/`, { ...loopbackRules, allowPrivateAddresses: false }), 'image_download_failed', /loopback/);
    expect(metadata.connections()).toBe(0);
    // Control: with the address check off, the very same URL is reached.
    await expectFailure(safeDownload(metadata.url('/latest/meta-data/'), loopbackRules), 'image_not_image');
    expect(metadata.connections()).toBe(1);
  });

  it('refuses a host that is not in allowedHosts, even with private addresses allowed', async () => {
    const metadata = await startMetadataServer();
    await expectFailure(safeDownload(metadata.url('/latest/meta-data/'), { ...loopbackRules, allowedHosts: ['cdn.discordapp.com'] }), 'image_download_failed', /not in allowedHosts/);
    await expectFailure(safeDownload(metadata.url('/latest/meta-data/', 'localhost'), loopbackRules), 'image_download_failed', /not in allowedHosts/);
    expect(metadata.connections()).toBe(0);
  });

  it('refuses http://169.254.169.254/ without any network call', async () => {
    const error = await expectFailure(
      safeDownload('http://169.254.169.254/latest/meta-data/iam/security-credentials/', { allowedHosts: ['169.254.169.254'], allowHttp: true, maxBytes: 1024, timeoutMs: 30_000 }),
      'image_download_failed',
      /metadata/,
    );
    await expectFailure(safeDownload('http://[::ffff:169.254.169.254]/latest/', { allowedHosts: ['::ffff:a9fe:a9fe'], allowHttp: true, maxBytes: 1024, timeoutMs: 30_000 }), 'image_download_failed', /metadata/);
    expect(httpRequest).not.toHaveBeenCalled();
    expect(lookup).not.toHaveBeenCalled();
    expect(error.publicMessage).toBe("I can't download images from that address.");
  });

  it('refuses an allowed host name that resolves to a private address, if any of its addresses is private', async () => {
    resolveNames({ 'images.provider.test': ['169.254.169.254'], 'mixed.provider.test': ['93.184.216.34', '10.0.0.7'] });
    const rules: DownloadRules = { allowedHosts: ['*.provider.test'], allowHttp: true, maxBytes: 1024, timeoutMs: 30_000 };
    await expectFailure(safeDownload('http://images.provider.test/generated/1.png', rules), 'image_download_failed', /resolves to 169\.254\.169\.254/);
    await expectFailure(safeDownload('http://mixed.provider.test/generated/1.png', rules), 'image_download_failed', /resolves to 10\.0\.0\.7/);
    expect(lookup).toHaveBeenCalledTimes(2);
    expect(httpRequest).not.toHaveBeenCalled();
  });

  it('connects to the address it checked, without asking DNS a second time', async () => {
    const server = await startServer((_request, response) => servePng(response));
    // Only the spied resolver knows this name; a connect that resolved it again would fail.
    resolveNames({ 'pinned.provider.test': ['127.0.0.1'] });
    const result = await safeDownload(server.url('/image.png', 'pinned.provider.test'), { ...loopbackRules, allowedHosts: ['pinned.provider.test'] });
    expect(result.bytes.equals(png)).toBe(true);
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(server.requests[0]?.headers.host).toBe(`pinned.provider.test:${server.port}`);
  });

  it('refuses plain http unless allowHttp, and any URL carrying credentials', async () => {
    const server = await startServer((_request, response) => servePng(response));
    await expectFailure(safeDownload(server.url('/image.png'), { ...loopbackRules, allowHttp: false }), 'image_download_failed', /scheme http: not allowed/);
    await expectFailure(safeDownload(server.url('/image.png').replace('http://', 'http://user:pass@'), loopbackRules), 'image_download_failed', /credentials/);
    await expectFailure(safeDownload('https://user:pass@cdn.discordapp.com/attachments/1/2/a.png', { allowedHosts: ['cdn.discordapp.com'], maxBytes: 1024, timeoutMs: 30_000 }), 'image_download_failed', /credentials/);
    await expectFailure(safeDownload('file:///etc/passwd', { ...loopbackRules, allowedHosts: [''] }), 'image_download_failed', /scheme file: not allowed/);
    await expectFailure(safeDownload('data:image/png;base64,iVBORw0KGgo=', loopbackRules), 'image_download_failed', /scheme data: not allowed/);
    expect(server.connections()).toBe(0);
    expect(lookup).not.toHaveBeenCalled();
    // Control: the same server is reachable when the URL is clean and http is allowed.
    expect((await safeDownload(server.url('/image.png'), loopbackRules)).bytes.equals(png)).toBe(true);
  });

  it('keeps query strings and hosts out of what it reports', async () => {
    const error = await expectFailure(safeDownload('http://169.254.169.254/latest/?X-Amz-Signature=topsecret', { allowedHosts: ['169.254.169.254'], allowHttp: true, maxBytes: 1024, timeoutMs: 1000 }), 'image_download_failed');
    expect(error.message).not.toContain('topsecret');
    expect(error.publicMessage).not.toContain('169.254');
  });
});

describe('safeDownload: redirects', () => {
  it('refuses a redirect to the metadata server under a host name that is not allowed', async () => {
    const metadata = await startMetadataServer();
    const redirector = await startServer((_request, response) => {
      response.writeHead(302, { location: metadata.url('/latest/meta-data/', 'localhost') });
      response.end();
    });
    const error = await expectFailure(safeDownload(redirector.url('/image.png'), { ...loopbackRules, expect: 'any' }), 'image_download_failed', /localhost.*not in allowedHosts|not in allowedHosts.*localhost/);
    expect(redirector.requests).toHaveLength(1);
    expect(metadata.connections()).toBe(0);
    expect(error.publicMessage).not.toContain('localhost');
  });

  it('refuses a redirect to a file: URL', async () => {
    const redirector = await startServer((_request, response) => {
      response.writeHead(302, { location: 'file:///etc/passwd' });
      response.end();
    });
    await expectFailure(safeDownload(redirector.url('/image.png'), { ...loopbackRules, expect: 'any' }), 'image_download_failed', /scheme file: not allowed/);
  });

  it('follows at most maxRedirects redirects', async () => {
    // /hop/N redirects to /hop/N-1; /hop/0 serves the image. /loop/N redirects forever.
    const server = await startServer((request, response) => {
      const [, kind, count] = (request.url ?? '').split('/');
      const remaining = Number(count);
      if (kind === 'hop' && remaining === 0) return servePng(response);
      response.writeHead(302, { location: kind === 'hop' ? `/hop/${remaining - 1}` : `/loop/${remaining + 1}` });
      response.end();
    });
    const result = await safeDownload(server.url('/hop/3'), { ...loopbackRules, maxRedirects: 3 });
    expect(result.finalUrl).toBe(server.url('/hop/0'));
    await expectFailure(safeDownload(server.url('/hop/3'), { ...loopbackRules, maxRedirects: 2 }), 'image_download_failed', /more than 2 redirects/);
    const requestsBefore = server.requests.length;
    await expectFailure(safeDownload(server.url('/loop/0'), loopbackRules), 'image_download_failed', /more than 3 redirects/);
    expect(server.requests.length - requestsBefore).toBe(4);
  });

  it('keeps the extra headers on a same-host redirect and drops them when the redirect leaves the host', async () => {
    const other = await startServer((_request, response) => servePng(response));
    const origin = await startServer((request, response) => {
      if (request.url === '/same') response.writeHead(302, { location: '/final' }).end();
      else if (request.url === '/away') response.writeHead(307, { location: other.url('/final', 'localhost') }).end();
      else servePng(response);
    });
    const rules: DownloadRules = { ...loopbackRules, allowedHosts: ['127.0.0.1', 'localhost'], headers: { Authorization: 'Bearer xoxb-secret' } };

    const same = await safeDownload(origin.url('/same'), rules);
    expect(same.finalUrl).toBe(origin.url('/final'));
    expect(origin.requests.map((request) => [request.path, request.headers.authorization])).toEqual([
      ['/same', 'Bearer xoxb-secret'],
      ['/final', 'Bearer xoxb-secret'],
    ]);

    const away = await safeDownload(origin.url('/away'), rules);
    expect(away.bytes.equals(png)).toBe(true);
    expect(origin.requests.at(-1)?.headers.authorization).toBe('Bearer xoxb-secret');
    expect(other.requests).toHaveLength(1);
    expect(other.requests[0]?.headers.host).toBe(`localhost:${other.port}`);
    expect(other.requests[0]?.headers.authorization).toBeUndefined();
  });
});

describe('safeDownload: size, time and content', () => {
  it('stops an endless body at the cap, quickly, and closes the connection', async () => {
    let closed!: () => void;
    const serverSawClose = new Promise<void>((resolve) => (closed = resolve));
    const chunk = Buffer.concat([png.subarray(0, 8), Buffer.alloc(16 * 1024 - 8)]);
    const server = await startServer((_request, response) => {
      response.on('close', closed);
      response.writeHead(200, { 'content-type': 'image/png' });
      const pump = () => {
        while (!response.destroyed && response.write(chunk));
        if (!response.destroyed) response.once('drain', pump);
      };
      pump();
    });
    const startedAt = performance.now();
    const error = await expectFailure(safeDownload(server.url('/forever.png'), { ...loopbackRules, maxBytes: 64 * 1024, timeoutMs: 30_000 }), 'image_too_large', /more than 65536 bytes received/);
    expect(performance.now() - startedAt).toBeLessThan(1000);
    expect(error.publicMessage).toBe('That image is larger than 64 KB, so I skipped it.');
    await serverSawClose;
  }, 10_000);

  it('refuses a Content-Length over the cap before reading the body', async () => {
    let closed!: () => void;
    const serverSawClose = new Promise<void>((resolve) => (closed = resolve));
    const server = await startServer((_request, response) => {
      response.on('close', closed);
      // Announces 10 MB, sends 8 bytes and stalls: only the announced size can refuse it in time.
      response.writeHead(200, { 'content-type': 'image/png', 'content-length': 10 * 1024 * 1024 });
      response.write(png.subarray(0, 8));
    });
    await expectFailure(safeDownload(server.url('/large.png'), { ...loopbackRules, maxBytes: 64 * 1024, timeoutMs: 8_000 }), 'image_too_large', /announced 10485760 bytes/);
    await serverSawClose;
  }, 10_000);

  it('refuses HTML, text and SVG when an image is expected, and accepts a PNG', async () => {
    const server = await startServer((request, response) => {
      if (request.url === '/image.png') return servePng(response);
      const bodies: Record<string, [string, string]> = {
        '/login.png': ['text/html', '<!DOCTYPE html><html><body>Sign in to Slack</body></html>'],
        '/credentials.png': ['image/png', '{"AccessKeyId":"AKIA-SECRET","SecretAccessKey":"x"}'],
        '/drawing.png': ['image/png', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'],
        '/big-page.png': ['image/png', `<html>${'<p>lorem ipsum</p>'.repeat(2000)}</html>`],
      };
      const [contentType, body] = bodies[request.url ?? ''] ?? ['text/plain', 'missing'];
      response.writeHead(request.url && bodies[request.url] ? 200 : 404, { 'content-type': contentType });
      response.end(body);
    });
    const html = await expectFailure(safeDownload(server.url('/login.png'), loopbackRules), 'image_not_image', /looks like html/);
    expect(html.publicMessage).toBe('That link gave me a web page, not an image.');
    await expectFailure(safeDownload(server.url('/credentials.png'), loopbackRules), 'image_not_image', /looks like text/);
    await expectFailure(safeDownload(server.url('/drawing.png'), loopbackRules), 'image_unsupported', /SVG/);
    await expectFailure(safeDownload(server.url('/big-page.png'), loopbackRules), 'image_not_image', /looks like html/);
    await expectFailure(safeDownload(server.url('/missing.png'), loopbackRules), 'image_download_failed', /HTTP 404/);

    const result = await safeDownload(server.url('/image.png'), loopbackRules);
    expect(result.bytes.equals(png)).toBe(true);
    expect(result.contentType).toBe('image/png');
    expect(result.finalUrl).toBe(server.url('/image.png'));
    // With expect 'any' nothing is sniffed.
    expect((await safeDownload(server.url('/login.png'), { ...loopbackRules, expect: 'any' })).bytes.toString()).toContain('Sign in');
  });

  it('times out at timeoutMs when the server never answers', async () => {
    const server = await startServer(() => {});
    const startedAt = performance.now();
    const error = await expectFailure(safeDownload(server.url('/image.png'), { ...loopbackRules, timeoutMs: 300 }), 'image_download_failed', /timed out/);
    const elapsed = performance.now() - startedAt;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(5000);
    expect(error.publicMessage).toBe('Downloading that image took too long.');
  }, 10_000);

  it('counts the body in the deadline: a server trickling bytes is cut off too', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'image/png' });
      response.write(png.subarray(0, 8));
      const timer = setInterval(() => response.write(Buffer.alloc(1)), 20);
      response.on('close', () => clearInterval(timer));
    });
    await expectFailure(safeDownload(server.url('/slow.png'), { ...loopbackRules, timeoutMs: 300 }), 'image_download_failed', /timed out/);
  }, 10_000);

  it('stops when the caller aborts', async () => {
    const server = await startServer(() => {});
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('session ended')), 50);
    await expectFailure(safeDownload(server.url('/image.png'), { ...loopbackRules, timeoutMs: 30_000, signal: controller.signal }), 'image_download_failed', /aborted by the caller/);
  }, 10_000);
});
