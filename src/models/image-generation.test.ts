/**
 * What an image provider's answer can make the gateway hold and return, through the real SDK:
 * never more images than asked for, no `b64_json` longer than an IMAGE_MAX_BYTES image can be,
 * no answer body past its cap or its deadline — and result URLs loosened only by the image
 * provider's own settings. Providers are the fake OpenAI server, or a raw loopback server where
 * the answer has to be malformed on the wire (an endless body).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI, type FakeOpenAIOptions } from '../../test/fake-openai/fake-openai-server.ts';
import { configFrom } from '../config/load-config.ts';
import { TableRoundError } from '../errors.ts';
import { createLogger } from '../logging/logger.ts';
import { imageAnswerMaxBytes, maxBase64Length } from './generated-images.ts';
import { ModelGateway } from './model-gateway.ts';

const logger = createLogger('silent');
let fake: FakeOpenAI | undefined;
let raw: Server | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
  raw?.closeAllConnections();
  await new Promise((resolve) => (raw ? raw.close(resolve) : resolve(undefined)));
  raw = undefined;
});

async function start(options: FakeOpenAIOptions): Promise<FakeOpenAI> {
  fake = await startFakeOpenAI(options);
  return fake;
}

/** Production download rules unless a test loosens them: https only, public addresses only. */
function gateway(baseUrl: string, settings: Record<string, string | number | boolean> = {}): ModelGateway {
  const config = configFrom({ OPENAI_BASE_URL: baseUrl, OPENAI_API_KEY: 'k', MODEL_MAX_RETRIES: 0, DOWNLOAD_ALLOW_HTTP: false, DOWNLOAD_ALLOW_PRIVATE_ADDRESSES: false, ...settings });
  return new ModelGateway({ ...config, MODEL_TIMEOUT_MS: 200, MODEL_FIRST_TOKEN_TIMEOUT_MS: 1_500 }, undefined, logger);
}

async function failureOf(promise: Promise<unknown>): Promise<TableRoundError> {
  const outcome = await promise.then(
    () => new Error('expected the call to fail'),
    (error: unknown) => error,
  );
  if (outcome instanceof TableRoundError) return outcome;
  throw outcome;
}

/** A real PNG of about 12 KB (noise does not compress). */
function noisyPng(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 64, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).png().toBuffer();
}

interface RawAnswer {
  /** Body bytes written before the connection closed. */
  sent: number;
  closed: Promise<void>;
}

/** A loopback "provider" whose images answer is written by `write`; resolves its base URL. */
async function startRawProvider(write: (response: ServerResponse, answer: RawAnswer) => void): Promise<{ url: string; answers: RawAnswer[] }> {
  const answers: RawAnswer[] = [];
  raw = createServer((request, response) => {
    request.resume();
    let markClosed = () => undefined as void;
    const answer: RawAnswer = { sent: 0, closed: new Promise((resolve) => (markClosed = resolve)) };
    response.on('close', markClosed);
    answers.push(answer);
    write(response, answer);
  });
  await new Promise<void>((resolve) => raw!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(raw.address() as AddressInfo).port}/v1`, answers };
}

/** Writes `{"data":[{"b64_json":"AAAA…` in 64 KB chunks for as long as the client reads. */
function endlessBase64(response: ServerResponse, answer: RawAnswer): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.write('{"created":1,"data":[{"b64_json":"');
  const chunk = 'A'.repeat(64 * 1024);
  const pump = () => {
    while (!response.destroyed && answer.sent < 1024 * 1024 * 1024) {
      answer.sent += chunk.length;
      if (!response.write(chunk)) return void response.once('drain', pump);
    }
  };
  pump();
}

describe('an image provider answers more than was asked for', () => {
  it('fifty images for two asked: the first two are returned, and two are reported as returned', async () => {
    await start({ images: () => ({ kind: 'b64', count: 50 }) });
    const reported: number[] = [];
    const images = await gateway(fake!.url).generateImages('a lamp', 2, { onImagesReturned: (count) => void reported.push(count) });
    expect(images).toHaveLength(2);
    expect(reported).toEqual([2]);
  });

  it('a b64_json longer than an IMAGE_MAX_BYTES image can be is refused, and the image still reported as returned (it was billed)', async () => {
    const png = await noisyPng();
    expect(png.toString('base64').length).toBeGreaterThan(maxBase64Length(1024));
    await start({ images: () => ({ kind: 'b64', bytes: png }) });
    const reported: number[] = [];
    const error = await failureOf(gateway(fake!.url, { IMAGE_MAX_BYTES: 1024 }).generateImages('a lamp', 1, { onImagesReturned: (count) => void reported.push(count) }));
    expect(error.code).toBe('image_too_large');
    expect(error.publicMessage).toBe("The image model sent an image larger than 1 KB, so I didn't post it.");
    expect(reported).toEqual([1]);
    // An image exactly at the cap still passes.
    expect(await gateway(fake!.url, { IMAGE_MAX_BYTES: png.length }).generateImages('a lamp', 1, {})).toEqual([png]);
  });
});

describe('an image provider whose answer never ends', () => {
  it('an endless JSON body is refused once it passes the cap, and the connection is dropped', { timeout: 20_000 }, async () => {
    const provider = await startRawProvider(endlessBase64);
    const cap = imageAnswerMaxBytes(1024, 1);
    const error = await failureOf(gateway(provider.url, { IMAGE_MAX_BYTES: 1024 }).generateImages('a lamp', 1, {}));
    expect(error.code).toBe('model_bad_output');
    expect(error.publicMessage).toBe("The image model's answer was larger than 4 MB, so I didn't use it.");
    await provider.answers[0]?.closed;
    // What the server got out before the drop: the cap plus what sockets buffer, never the gigabyte.
    expect(provider.answers).toHaveLength(1);
    expect(provider.answers[0]!.sent).toBeLessThan(cap + 16 * 1024 * 1024);
  });

  it('a Content-Length over the cap is refused before the body is read', async () => {
    const provider = await startRawProvider((response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(2 * 1024 * 1024 * 1024) });
      response.write('{"data":[');
    });
    const error = await failureOf(gateway(provider.url, { IMAGE_MAX_BYTES: 1024 }).generateImages('a lamp', 1, {}));
    expect(error.code).toBe('model_bad_output');
    await provider.answers[0]?.closed;
  });

  it('a body that trickles on past the whole-call timeout is refused as a timeout', { timeout: 20_000 }, async () => {
    const provider = await startRawProvider((response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"data":[{"b64_json":"');
      const timer = setInterval(() => response.write('A'), 50);
      response.on('close', () => clearInterval(timer));
    });
    const startedAt = Date.now();
    const error = await failureOf(gateway(provider.url).generateImages('a lamp', 1, {}));
    expect(error.code).toBe('model_timeout');
    expect(error.publicMessage).toMatch(/^The image model \(.+\) took too long to answer\.$/);
    // The whole-call timeout here: 1,500 ms for the first token plus 200 ms of silence.
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    await provider.answers[0]?.closed;
  });
});

describe('result URLs of a self-hosted image provider', () => {
  it('IMAGE_PROVIDER_ALLOW_HTTP and _PRIVATE_ADDRESSES let its http://127.0.0.1 URLs through; without them they are refused', async () => {
    await start({ images: () => ({ kind: 'url' }) });
    const refused = await failureOf(gateway(fake!.url).generateImages('a lamp', 1, {}));
    expect(refused.code).toBe('image_download_failed');

    const loosened = gateway(fake!.url, { IMAGE_PROVIDER_ALLOW_HTTP: true, IMAGE_PROVIDER_ALLOW_PRIVATE_ADDRESSES: true });
    const images = await loosened.generateImages('a lamp', 2, {});
    expect(images).toHaveLength(2);
    expect(images[0]?.subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  });
});
