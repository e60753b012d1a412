/**
 * Real error objects of every library we talk to, with secrets planted where each library keeps
 * them (URLs, request bodies, headers, response bodies, Redis arguments), pushed through the real
 * logger. Two kinds of marker: token-shaped ones (which the line scrub would also catch) and plain
 * ones such as `BODY-MARKER` (which only the allow-list keeps out) — so every test fails if the
 * `err` serializer is reverted to `pino.stdSerializers.err`.
 */
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, inject, it } from 'vitest';
// The SDKs are imported only to build their real error objects; nothing in src/ ships with them.
import { DiscordAPIError, HTTPError, RateLimitError } from '@discordjs/rest';
import { MultipleListenerError, UnknownError } from '@slack/bolt';
import { LogLevel, WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError, WebClient } from '@slack/web-api';
import OpenAI from 'openai';
import { Redis } from 'ioredis';
import { TableRoundError } from '../../src/errors.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { scrubSecrets, scrubUrl, serializeError, type SerializedError } from '../../src/logging/serialize-error.ts';

const discordWebhookToken = 'WhTokenMarker0a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0u1V2w3X4y5Z6';
const slackBotToken = 'xoxb-111111111111-222222222222-SlackTokenMarker0123';
const openAiKey = 'sk-proj-OpenAiKeyMarker0123456789abcdef';
const redisPassword = 'supersecretpassword';
const bodyMarker = 'BODY-MARKER';
const headerMarker = 'HEADER-MARKER';
const rawErrorMarker = 'RAW-ERROR-MARKER';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger('debug', stream);
  return {
    logger,
    text: () => lines.join(''),
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Logs `error` both ways the codebase does (`{ err }` and first argument) and returns the line text and the `err` fields. */
function logBothWays(error: unknown): { text: string; err: SerializedError; firstArgument: SerializedError } {
  const { logger, text, records } = capture();
  logger.error({ err: error }, 'platform call failed');
  logger.error(error);
  const [nested, first] = records();
  expectAllowListed(nested?.err);
  expectAllowListed(first?.err);
  return { text: text(), err: nested?.err as SerializedError, firstArgument: first?.err as SerializedError };
}

const allowedKeys = new Set(['type', 'message', 'code', 'status', 'method', 'url', 'command', 'retryAfter', 'stack', 'cause', 'errors']);

/** Every level of the cause chain has only allow-listed keys. */
function expectAllowListed(serialized: unknown): void {
  if (typeof serialized === 'string') return;
  expect(typeof serialized).toBe('object');
  const record = serialized as Record<string, unknown>;
  expect(Object.keys(record).filter((key) => !allowedKeys.has(key))).toEqual([]);
  if (record.cause !== undefined) expectAllowListed(record.cause);
  for (const member of Array.isArray(record.errors) ? (record.errors as unknown[]) : []) expectAllowListed(member);
}

function expectNone(text: string, markers: string[]): void {
  for (const marker of markers) expect(text, `marker ${marker} reached the log`).not.toContain(marker);
}

describe('discord.js errors', () => {
  const webhookUrl = `https://discord.com/api/v10/webhooks/123456789012345678/${discordWebhookToken}/messages/456?wait=true&thread_id=789`;

  it('DiscordAPIError keeps type, code, status, method and a scrubbed url; drops requestBody and rawError', () => {
    const error = new DiscordAPIError(
      { code: 10015, message: 'Unknown Webhook', hidden: rawErrorMarker } as never,
      10015,
      404,
      'PATCH',
      webhookUrl,
      { body: { content: `${bodyMarker} hello`, token: discordWebhookToken }, files: undefined },
    );
    const { text, err, firstArgument } = logBothWays(error);
    expectNone(text, [discordWebhookToken, bodyMarker, rawErrorMarker, 'requestBody', 'rawError']);
    expect(err).toMatchObject({ type: 'DiscordAPIError', code: 10015, status: 404, method: 'PATCH', message: 'Unknown Webhook' });
    expect(err.url).toBe('https://discord.com/api/v10/webhooks/123456789012345678/[redacted]/messages/456?wait=[redacted]&thread_id=[redacted]');
    expect(firstArgument).toEqual(err);
  });

  it('HTTPError and RateLimitError drop the body, the major parameter and the hash', () => {
    const httpError = new HTTPError(502, 'Bad Gateway', 'POST', webhookUrl, { body: { content: bodyMarker } });
    const rateLimit = new RateLimitError({
      timeToReset: 1_000,
      limit: 5,
      method: 'POST',
      hash: `${headerMarker}-hash`,
      url: webhookUrl,
      route: '/webhooks/:id/:token',
      majorParameter: `123456789012345678/${discordWebhookToken}`,
      global: false,
      retryAfter: 1_000,
      sublimitTimeout: 0,
      scope: 'user',
    });
    const http = logBothWays(httpError);
    const limited = logBothWays(rateLimit);
    expectNone(http.text + limited.text, [discordWebhookToken, bodyMarker, headerMarker]);
    expect(http.err).toMatchObject({ type: 'HTTPError', status: 502, method: 'POST', message: 'Bad Gateway' });
    expect(limited.err).toMatchObject({ type: 'RateLimitError', method: 'POST', retryAfter: 1_000 });
    expect(limited.err.url).toContain('/webhooks/123456789012345678/[redacted]/messages/456');
  });
});

describe('@slack/web-api errors', () => {
  it('platform, HTTP and rate-limit errors keep code, status and retryAfter; drop data, headers and body', () => {
    const platform = new WebAPIPlatformError({ ok: false, error: 'channel_not_found', response_metadata: { messages: [bodyMarker] }, token: slackBotToken } as never);
    const http = new WebAPIHTTPError(503, 'Service Unavailable', { authorization: `Bearer ${slackBotToken}`, 'x-trace': headerMarker }, `{"ok":false,"echo":"${bodyMarker}"}`);
    const limited = new WebAPIRateLimitedError(30);
    const logged = [platform, http, limited].map((error) => logBothWays(error));
    expectNone(logged.map((entry) => entry.text).join(''), [slackBotToken, bodyMarker, headerMarker, 'response_metadata']);
    expect(logged[0]?.err).toMatchObject({ type: 'WebAPIPlatformError', code: 'slack_webapi_platform_error', message: 'An API error occurred: channel_not_found' });
    expect(logged[1]?.err).toMatchObject({ type: 'WebAPIHTTPError', code: 'slack_webapi_http_error', status: 503 });
    expect(logged[2]?.err).toMatchObject({ type: 'WebAPIRateLimitedError', code: 'slack_webapi_rate_limited_error', retryAfter: 30 });
  });

  it('a request error keeps the cause chain; the transport error inside (headers, form body) never appears', () => {
    // Older transports (axios) hung the whole request on the original error; the class accepts any Error.
    const original = Object.assign(new Error(`request to https://slack.com/api/chat.postMessage?token=${slackBotToken} failed`), {
      code: 'ECONNRESET',
      config: { method: 'post', url: 'https://slack.com/api/chat.postMessage', headers: { Authorization: `Bearer ${slackBotToken}` }, data: `channel=C1&text=${bodyMarker}` },
    });
    const { text, err } = logBothWays(new WebAPIRequestError(original));
    expectNone(text, [slackBotToken, bodyMarker, 'original']);
    expect(err).toMatchObject({ type: 'WebAPIRequestError', code: 'slack_webapi_request_error' });
    expect(err.message).toBe('A request error occurred: request to https://slack.com/api/chat.postMessage?token=[redacted] failed');
    expect(err.cause).toMatchObject({ code: 'ECONNRESET', method: 'POST', url: 'https://slack.com/api/chat.postMessage' });
  });

  it('Bolt errors keep their `original` (and `originals`) as the cause, through the allow-list', () => {
    const platform = new WebAPIPlatformError({ ok: false, error: 'not_in_channel', echo: bodyMarker, token: slackBotToken } as never);
    const unknown = new UnknownError(platform);
    const multiple = new MultipleListenerError([unknown, new Error('second listener failed')]);
    const { text, err } = logBothWays(multiple);
    expectNone(text, [slackBotToken, bodyMarker]);
    expect(err).toMatchObject({
      type: 'MultipleListenerError',
      code: 'slack_bolt_multiple_listener_error',
      errors: [{ type: 'UnknownError', code: 'slack_bolt_unknown_error', cause: { type: 'WebAPIPlatformError', message: 'An API error occurred: not_in_channel' } }, { message: 'second listener failed' }],
    });
  });

  it('a real request error from WebClient keeps the root cause (fetch failed → ECONNREFUSED)', async () => {
    const client = new WebClient(slackBotToken, { slackApiUrl: `http://127.0.0.1:${await closedPort()}/api/`, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
    const error = await client.chat.postMessage({ channel: 'C123', text: `${bodyMarker} the text we posted` }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(WebAPIRequestError);
    const { text, err } = logBothWays(error);
    expectNone(text, [slackBotToken, bodyMarker]);
    expect(err).toMatchObject({ type: 'WebAPIRequestError', code: 'slack_webapi_request_error', cause: { type: 'TypeError', message: 'fetch failed', cause: { code: 'ECONNREFUSED' } } });
  });
});

describe('openai errors', () => {
  it('APIError keeps status, code and the provider message; drops headers and the error body', () => {
    const headers = new Headers({ authorization: `Bearer ${openAiKey}`, 'x-request-id': 'req_1', 'x-leak': headerMarker });
    const error = OpenAI.APIError.generate(401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key', param: null, echo: `${bodyMarker} ${openAiKey}` } }, undefined, headers);
    const { text, err } = logBothWays(error);
    expectNone(text, [openAiKey, bodyMarker, headerMarker]);
    expect(err).toMatchObject({ type: 'AuthenticationError', code: 'invalid_api_key', status: 401, message: '401 Incorrect API key provided' });
  });

  it('a body without a message becomes the message; secrets in it are scrubbed', () => {
    const error = new OpenAI.APIError(500, { detail: `upstream said key=${bodyMarker} and ${openAiKey}` }, undefined, new Headers());
    const { text, err } = logBothWays(error);
    expectNone(text, [openAiKey, bodyMarker]);
    expect(err).toMatchObject({ type: 'APIError', status: 500 });
  });

  it('a real connection error to a base URL with credentials keeps the cause and hides the credentials', async () => {
    const client = new OpenAI({ apiKey: openAiKey, baseURL: `http://proxyuser:${redisPassword}@127.0.0.1:${await closedPort()}/v1`, maxRetries: 0 });
    const error = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: bodyMarker }] }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
    const wrapped = new TableRoundError('model_failed', 'the chat model failed with a connection error', { cause: error });
    const { text, err } = logBothWays(wrapped);
    expectNone(text, [openAiKey, bodyMarker, redisPassword, 'proxyuser']);
    expect(err).toMatchObject({ type: 'TableRoundError', code: 'model_failed', cause: { type: 'APIConnectionError' } });
  });
});

describe('ioredis errors', () => {
  const connections: Redis[] = [];
  afterEach(() => {
    for (const connection of connections.splice(0)) connection.disconnect();
  });

  it('a real ReplyError keeps the command name and never its arguments', async () => {
    const redis = new Redis(inject('redisUrl'), { lazyConnect: true, maxRetriesPerRequest: 0 });
    connections.push(redis);
    const error = await redis.auth(redisPassword).then(
      () => undefined,
      (failure: unknown) => failure as Error & { command?: { args: unknown[] } },
    );
    expect(error?.command?.args).toEqual([redisPassword]);
    const { text, err } = logBothWays(error);
    expectNone(text, [redisPassword]);
    expect(err).toMatchObject({ type: 'ReplyError', command: 'auth' });
    expect(err.message).toMatch(/^ERR /);
  });

  it('a connection error wrapped with the configured URL hides the password and keeps the errno code', async () => {
    const url = `redis://:${redisPassword}@127.0.0.1:${await closedPort()}`;
    const redis = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    connections.push(redis);
    const connectionError = await new Promise<unknown>((resolve) => {
      redis.once('error', resolve);
      redis.connect().catch(() => undefined);
    });
    const wrapped = new TableRoundError('redis_unavailable', `Redis at ${url} is not reachable`, { cause: connectionError });
    const { text, err } = logBothWays(wrapped);
    expectNone(text, [redisPassword]);
    expect(err.message).toMatch(/^Redis at redis:\/\/\[redacted\]@127\.0\.0\.1:\d+ is not reachable$/);
    expect(err.cause).toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('cause chains', () => {
  it('a TableRoundError keeps its code and the scrubbed cause chain down to the platform error', () => {
    const discordError = new DiscordAPIError({ code: 50013, message: 'Missing Permissions' }, 50013, 403, 'POST', `https://discord.com/api/v10/webhooks/1/${discordWebhookToken}`, {
      body: { content: bodyMarker },
    });
    const middle = new Error(`posting through https://discord.com/api/v10/webhooks/1/${discordWebhookToken} failed`, { cause: discordError });
    const error = new TableRoundError('platform_failed', 'could not post the reply', { cause: middle, publicMessage: 'Discord refused the message.' });
    const { text, err } = logBothWays(error);
    expectNone(text, [discordWebhookToken, bodyMarker]);
    expect(err).toMatchObject({
      type: 'TableRoundError',
      code: 'platform_failed',
      message: 'could not post the reply',
      cause: { type: 'Error', message: 'posting through https://discord.com/api/v10/webhooks/1/[redacted] failed', cause: { type: 'DiscordAPIError', code: 50013, status: 403, method: 'POST' } },
    });
  });

  it('stops at the depth cap and at cycles, and summarises AggregateError members', () => {
    let deep: Error = new Error('root');
    for (let level = 0; level < 10; level += 1) deep = new Error(`level ${level}`, { cause: deep });
    let serialized = serializeError(deep) as SerializedError;
    let levels = 0;
    while (typeof serialized.cause === 'object') {
      serialized = serialized.cause;
      levels += 1;
    }
    expect(levels).toBe(5);
    expect(serialized.cause).toMatch(/omitted/);

    const looping = new Error('a') as Error & { cause?: unknown };
    looping.cause = new Error('b', { cause: looping });
    expect(JSON.stringify(serializeError(looping))).toContain('[circular cause]');

    const aggregate = new AggregateError([new Error(`one ${slackBotToken}`), 'two', ...Array.from({ length: 6 }, (_, index) => new Error(`more ${index}`))], 'all failed');
    const result = serializeError(aggregate) as SerializedError;
    expect(result.errors).toHaveLength(6);
    expect(result.errors?.[0]).toMatchObject({ type: 'Error', message: 'one [redacted]' });
    expect(result.errors?.[1]).toBe('two');
    expect(result.errors?.[5]).toBe('…and 3 more');
  });

  it('non-errors become short scrubbed strings; plain objects are named, never dumped', () => {
    expect(serializeError(`failed with ${slackBotToken}`)).toBe('failed with [redacted]');
    expect(serializeError({ status: 500, body: bodyMarker })).toBe('[Object with keys: status, body]');
    expect(serializeError(42)).toBe('42');
    expect(serializeError(undefined)).toBe('undefined');
    const { logger, text, records } = capture();
    logger.error({ err: { body: bodyMarker } }, 'a plain object was thrown');
    expectNone(text(), [bodyMarker]);
    expect(records()[0]?.err).toBe('[Object with keys: body]');
  });
});

describe('logger wiring', () => {
  it('an Error under another key, under `error`, or passed first with no message goes through the allow-list and its message is scrubbed', () => {
    const { logger, text, records } = capture();
    const error = new HTTPError(500, `failed at redis://:${redisPassword}@cache:6379`, 'POST', `https://u:${redisPassword}@example.com/x`, { body: { content: bodyMarker } });
    logger.warn({ failure: error }, 'under a custom key');
    logger.warn({ error }, 'under error');
    logger.error(error);
    expectNone(text(), [redisPassword, bodyMarker]);
    const [custom, underError, first] = records();
    expect(custom?.failure).toMatchObject({ type: 'HTTPError', status: 500 });
    expect(underError?.error).toMatchObject({ type: 'HTTPError', status: 500 });
    expect(first?.msg).toBe('failed at redis://[redacted]@cache:6379');
  });

  it('URL fields with credentials are scrubbed for https, wss and rediss, top level, nested and in child bindings', () => {
    const { logger, text, records } = capture();
    logger.child({ redisUrl: `rediss://default:${redisPassword}@cache.example:6380` }).info(
      {
        url: `https://alice:${redisPassword}@api.example.com/v1?api_key=${bodyMarker}&page=2`,
        baseURL: `wss://bob:${redisPassword}@gateway.example/ws?access_token=${bodyMarker}`,
        baseUrl: `https://${redisPassword}@proxy.example`,
        nested: { endpoint: `postgres://carol:${redisPassword}@db.example:5432/app?sig=${bodyMarker}` },
      },
      'connecting',
    );
    expectNone(text(), [redisPassword, bodyMarker, 'alice', 'bob', 'carol']);
    const [record] = records();
    expect(record).toMatchObject({
      redisUrl: 'rediss://[redacted]@cache.example:6380',
      url: 'https://[redacted]@api.example.com/v1?api_key=[redacted]&page=2',
      baseURL: 'wss://[redacted]@gateway.example/ws?access_token=[redacted]',
      baseUrl: 'https://[redacted]@proxy.example',
      nested: { endpoint: 'postgres://[redacted]@db.example:5432/app?sig=[redacted]' },
    });
  });
});

describe('scrubUrl and scrubSecrets', () => {
  it('strips credentials for any scheme and keeps the rest of the URL', () => {
    expect(scrubUrl('https://user:pass@host.example/path')).toBe('https://[redacted]@host.example/path');
    expect(scrubUrl('wss://user:pass@host.example:8443/ws')).toBe('wss://[redacted]@host.example:8443/ws');
    expect(scrubUrl('connect rediss://:pass@host:6380 failed')).toBe('connect rediss://[redacted]@host:6380 failed');
    expect(scrubUrl('redis://:pa/ss@host:6379')).toBe('redis://[redacted]@host:6379');
    expect(scrubUrl('https://token123@github.com/org/repo.git')).toBe('https://[redacted]@github.com/org/repo.git');
    expect(scrubUrl('https://host.example:443/users/@alice')).toBe('https://host.example:443/users/@alice');
  });

  it('replaces token-shaped path segments and secret query values, keeps ids and route words', () => {
    expect(scrubUrl('https://hooks.slack.com/services/T0123ABCD/B0123ABCD/AbCdEfGhIjKlMnOpQrStUvWx')).toBe('https://hooks.slack.com/services/T0123ABCD/B0123ABCD/[redacted]');
    expect(scrubUrl('https://slack.com/api/assistant.threads.setStatus')).toBe('https://slack.com/api/assistant.threads.setStatus');
    expect(scrubUrl('https://discord.com/api/v10/channels/123456789012345678/messages')).toBe('https://discord.com/api/v10/channels/123456789012345678/messages');
    expect(scrubUrl('https://x.example/a?token=abc&key=def&sig=ghi&page=2#access_token=jkl')).toBe(
      'https://x.example/a?token=[redacted]&key=[redacted]&sig=[redacted]&page=2#access_token=[redacted]',
    );
  });

  it('keeps a JSON line valid and is idempotent', () => {
    const line = JSON.stringify({ a: `redis://:p"w@h`, b: `Authorization: Bearer ${openAiKey}`, c: 'token=abc"def', d: 'https://u:p@h/x\\y' });
    const scrubbed = scrubSecrets(line);
    expect(() => JSON.parse(scrubbed) as unknown).not.toThrow();
    expect(scrubSecrets(scrubbed)).toBe(scrubbed);
    expect(scrubbed).not.toContain(openAiKey);
  });

  it('leaves prose alone', () => {
    const prose = 'Bot messages are ignored; the authorization step passed for 3 sessions (see https://example.com/docs?page=2)';
    expect(scrubSecrets(prose)).toBe(prose);
  });
});

/** A loopback port nothing listens on: bound, read, closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}
