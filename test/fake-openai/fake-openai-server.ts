/**
 * A fake OpenAI-compatible HTTP server that speaks the real wire format, so tests exercise the real
 * `openai` SDK (retries, timeouts, SSE parsing) against scripted replies. Listens on 127.0.0.1 with a
 * random port; call `close()` after each test file.
 *
 * Routes: `POST /v1/chat/completions`, `POST /v1/images/generations`, `GET /v1/models`,
 * `GET /v1/models/<id>`, and `GET /files/<name>.png` for image URLs it handed out. Anything else is a
 * 404 in OpenAI's error shape.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChatHandler, FakeOpenAI, FakeOpenAIOptions, ImagesHandler, RecordedRequest } from './fake-openai-types.ts';
import { answerChatCompletion } from './chat-completions.ts';
import { answerImageGeneration } from './image-generations.ts';
import { createFakePng } from './fake-png.ts';
import { InFlightTracker } from './in-flight-tracker.ts';
import { sendOpenAIError } from './openai-error.ts';
import { chatRequestBodySchema, imageRequestBodySchema } from './request-body.ts';
import { defaultChatReply, defaultImageReply } from './scripted-replies.ts';

export type { ChatHandler, ChatReply, FakeOpenAI, FakeOpenAIOptions, ImageReply, ImagesHandler, RecordedRequest } from './fake-openai-types.ts';
export { DEFAULT_REPLY_PREFIX, defaultChatReply, defaultImageReply, scriptedReplies } from './scripted-replies.ts';
export { FAKE_IMAGE_SIZE_PX } from './fake-png.ts';
export { CONTEXT_PROVIDERS, contextExceededReply, type ContextProvider } from './context-exceeded.ts';

export const CHAT_COMPLETIONS_PATH = '/v1/chat/completions';
export const IMAGE_GENERATIONS_PATH = '/v1/images/generations';
export const FAKE_MODEL_IDS = ['gpt-4o-mini', 'gpt-4o', 'gpt-image-1'] as const;

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  let chatHandler: ChatHandler = options.chat ?? defaultChatReply;
  let imagesHandler: ImagesHandler = options.images ?? defaultImageReply;
  const requests: RecordedRequest[] = [];
  const chatTracker = new InFlightTracker<RecordedRequest>();
  const png = await createFakePng();
  const publishedFiles = new Set<string>();
  let chatCount = 0;
  let imageCount = 0;
  let responseCount = 0;
  let origin = '';

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const path = new URL(request.url ?? '/', 'http://fake.invalid').pathname;
    const method = request.method ?? 'GET';
    const record: RecordedRequest = { path, method, headers: request.headers, body: undefined, receivedAt };
    requests.push(record);

    const closedController = new AbortController();
    response.once('close', () => {
      record.closedAt = Date.now();
      record.completed = response.writableFinished;
      closedController.abort();
    });
    response.setHeader('x-request-id', `req_fake_${++responseCount}`);

    const isChat = method === 'POST' && path === CHAT_COMPLETIONS_PATH;
    const isImages = method === 'POST' && path === IMAGE_GENERATIONS_PATH;
    // Index and in-flight tracking start at arrival, so concurrent requests count from their first byte.
    const index = isChat ? chatCount++ : isImages ? imageCount++ : 0;
    if (isChat) response.once('close', chatTracker.begin(record));

    const bodyText = await readBody(request);
    const parsedBody = parseJson(bodyText);
    record.body = parsedBody.ok ? parsedBody.value : bodyText;

    if (path.startsWith('/files/') && method === 'GET') {
      serveFile(response, path.slice('/files/'.length));
      return;
    }
    if (options.latencyMs) await sleep(options.latencyMs);
    if (closedController.signal.aborted) return;
    if (options.apiKey !== undefined && request.headers.authorization !== `Bearer ${options.apiKey}`) {
      sendOpenAIError(response, { status: 401, code: 'invalid_api_key', message: 'Incorrect API key provided (fake).' });
      return;
    }
    if (!parsedBody.ok) {
      sendOpenAIError(response, { status: 400, message: 'We could not parse the JSON body of your request (fake).' });
      return;
    }

    if (isChat) {
      const body = chatRequestBodySchema.safeParse(record.body);
      if (!body.success) {
        sendOpenAIError(response, { status: 400, message: `Invalid chat completion request (fake): ${body.error.message}` });
        return;
      }
      const reply = await chatHandler(record, index);
      const identity = { id: `chatcmpl-fake-${index}`, created: Math.floor(receivedAt / 1000), model: body.data.model };
      await answerChatCompletion(response, reply, { identity, body: body.data, closed: closedController.signal });
      return;
    }
    if (isImages) {
      const body = imageRequestBodySchema.safeParse(record.body);
      if (!body.success) {
        sendOpenAIError(response, { status: 400, message: `Invalid image generation request (fake): ${body.error.message}` });
        return;
      }
      const reply = await imagesHandler(record, index);
      let fileNumber = 0;
      const publishPng = (): string => {
        const name = `image-${index}-${fileNumber++}.png`;
        publishedFiles.add(name);
        return `${origin}/files/${name}`;
      };
      answerImageGeneration(response, reply, { requestedCount: body.data.n ?? 1, png, publishPng });
      return;
    }
    if (method === 'GET' && path === '/v1/models') {
      sendJson(response, { object: 'list', data: FAKE_MODEL_IDS.map(modelObject) });
      return;
    }
    if (method === 'GET' && path.startsWith('/v1/models/')) {
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      if ((FAKE_MODEL_IDS as readonly string[]).includes(id)) sendJson(response, modelObject(id));
      else sendOpenAIError(response, { status: 404, code: 'model_not_found', message: `The model '${id}' does not exist (fake).` });
      return;
    }
    sendOpenAIError(response, { status: 404, message: `Invalid URL (${method} ${path})` });
  }

  function serveFile(response: ServerResponse, name: string): void {
    if (!publishedFiles.has(name)) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
    response.end(png);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent || response.destroyed) {
        response.destroy();
        return;
      }
      // A throwing handler is a test bug: tell the SDK not to retry so the message surfaces at once.
      response.setHeader('x-should-retry', 'false');
      sendOpenAIError(response, { status: 500, message: error instanceof Error ? error.message : String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/v1`,
    requests,
    chatRequests: () => requests.filter((request) => request.method === 'POST' && request.path === CHAT_COMPLETIONS_PATH),
    imageRequests: () => requests.filter((request) => request.method === 'POST' && request.path === IMAGE_GENERATIONS_PATH),
    setChat: (handler) => {
      chatHandler = handler;
    },
    setImages: (handler) => {
      imagesHandler = handler;
    },
    inFlightPeak: (keyOf) => chatTracker.peak(keyOf),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Hanging requests and idle keep-alive sockets would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

function modelObject(id: string): object {
  return { id, object: 'model', created: 1_700_000_000, owned_by: 'fake-openai' };
}

function sendJson(response: ServerResponse, value: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(value));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
