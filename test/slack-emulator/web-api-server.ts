/**
 * The emulator's HTTP side: the Web API (`/api/{method}`), the upload URLs handed out by
 * `files.getUploadURLExternal`, the `url_private` file host (bearer token checked; without it an
 * HTML login page with status 200, as Slack does), `response_url`s, and the OAuth install pages
 * (oauth-installs.ts). Every bot token belongs to one workspace: a call sees that workspace only,
 * and its rate limits are that workspace's.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RateLimiter, type RateLimitOptions } from './rate-limiter.ts';
import { runMethod, isKnownMethod, type MethodArgs } from './web-api-methods.ts';
import type { EmulatedMessage, Workspace } from './workspace.ts';
import { SlackFaults } from './injected-faults.ts';
import type { HttpAnswer, OAuthInstalls } from './oauth-installs.ts';

export interface ApiCall {
  method: string;
  args: MethodArgs;
  at: number;
  status: number;
  ok: boolean;
  error?: string;
  /** The `ts` of the message the call created (chat.postMessage, chat.startStream). */
  ts?: string;
  /** The workspace whose token authorised the call. */
  team?: string;
}

export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
  at: number;
}

export interface WebApiServerOptions {
  /** The first workspace (response_url posts without one of their own go there). */
  workspace: Workspace;
  /** Bot tokens → workspaces, and the OAuth flow that issues them. */
  installs: OAuthInstalls;
  appToken: string;
  rateLimits: RateLimitOptions;
  onBotMessage(message: EmulatedMessage, workspace: Workspace): void;
  issueSocketUrl(baseUrl: string): string;
  /** `apps.uninstall` removed the app from a workspace (the emulator sends the events). */
  onUninstall(workspace: Workspace): void;
}

export const loginPageHtml = '<!DOCTYPE html><html><head><title>Slack</title></head><body><h1>Sign in to your workspace</h1></body></html>';

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseArgs(body: Buffer, contentType: string): MethodArgs {
  const raw = body.toString('utf8');
  if (contentType.includes('application/json')) {
    try {
      return (JSON.parse(raw || '{}') as MethodArgs) ?? {};
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}

function sendAnswer(response: ServerResponse, answer: HttpAnswer): void {
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
}

/** HTTP Basic credentials (oauth.v2.access accepts the client id and secret this way too). */
function basicAuth(header: string | undefined): { id: string; secret: string } | undefined {
  const encoded = /^Basic (.+)$/.exec(header ?? '')?.[1];
  if (!encoded) return undefined;
  const [id = '', ...rest] = Buffer.from(encoded, 'base64').toString('utf8').split(':');
  return { id, secret: rest.join(':') };
}

export class WebApiServer {
  readonly server: Server;
  readonly limiter: RateLimiter;
  readonly calls: ApiCall[] = [];
  readonly responseUrlPosts: ResponseUrlPost[] = [];
  /** response_url id → how many times it may still be used, and where it posts. */
  readonly responseUrls = new Map<string, { remaining: number; channel: string; user: string; threadTs?: string; workspace?: Workspace }>();
  /** Requests for url_private without the right token. */
  fileRequestsWithoutAuth = 0;
  baseUrl = '';

  constructor(private readonly options: WebApiServerOptions) {
    this.limiter = new RateLimiter(options.rateLimits);
    this.server = createServer((request, response) => {
      this.route(request, response).catch((error: unknown) => {
        if (!response.headersSent) sendJson(response, 500, { ok: false, error: String(error) });
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return this.baseUrl;
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.baseUrl);
    const body = await readBody(request);
    if (url.pathname.startsWith('/api/')) return this.api(url.pathname.slice(5), request, body, response);
    if (url.pathname.startsWith('/upload/v1/') && request.method === 'POST') return this.upload(url.pathname.slice(11), body, response);
    if (url.pathname.startsWith('/files-pri/')) return this.download(url.pathname, request, response);
    if (url.pathname.startsWith('/response/') && request.method === 'POST') return this.responseUrl(url.pathname.slice(10), body, request, response);
    if (url.pathname === '/oauth/v2/authorize' && request.method === 'GET') return sendAnswer(response, this.options.installs.authorizePage(url.searchParams));
    if (url.pathname === '/oauth/v2/authorize/approve' && request.method === 'POST') return sendAnswer(response, this.options.installs.approve(new URLSearchParams(body.toString('utf8'))));
    sendJson(response, 404, { ok: false, error: 'not_found' });
  }

  /** When set, every Web API call is answered 429 with this Retry-After (a workspace in trouble). */
  throttleEverything: number | undefined;
  /** Failures a test injected (injected-faults.ts): answered before the method runs, after auth. */
  readonly faults = new SlackFaults();

  private api(method: string, request: IncomingMessage, body: Buffer, response: ServerResponse): void {
    const args = parseArgs(body, request.headers['content-type'] ?? '');
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const token = bearer ?? (typeof args.token === 'string' ? args.token : undefined);
    const { installs } = this.options;
    const owner = token ? installs.tokens.get(token) : undefined;
    const record = (status: number, result: { ok: boolean; error?: unknown; ts?: unknown }) =>
      this.calls.push({
        method,
        args,
        at: Date.now(),
        status,
        ok: result.ok,
        ...(typeof result.error === 'string' ? { error: result.error } : {}),
        ...(typeof result.ts === 'string' ? { ts: result.ts } : {}),
        ...(owner ? { team: owner.teamId } : {}),
      });

    if (method === 'oauth.v2.access') {
      const result = installs.access(args, basicAuth(request.headers.authorization));
      record(200, result);
      return sendJson(response, 200, result);
    }
    if (method === 'apps.uninstall') {
      const appOk = args.client_id === installs.app.clientId && args.client_secret === installs.app.clientSecret;
      const result = !owner ? { ok: false, error: token && installs.revoked.has(token) ? 'token_revoked' : 'invalid_auth' } : appOk ? { ok: true } : { ok: false, error: 'invalid_client_id' };
      record(200, result);
      sendJson(response, 200, result);
      if (owner && appOk) this.options.onUninstall(owner);
      return;
    }
    if (!isKnownMethod(method)) {
      const result = { ok: false, error: 'unknown_method' };
      record(404, result);
      return sendJson(response, 404, result);
    }
    const authorised = method === 'apps.connections.open' ? token === this.options.appToken : owner !== undefined;
    if (!token || !authorised) {
      const result = { ok: false, error: !token ? 'not_authed' : installs.revoked.has(token) ? 'token_revoked' : 'invalid_auth' };
      record(200, result);
      return sendJson(response, 200, result);
    }
    const workspace = owner ?? this.options.workspace;
    const fault = this.faults.take(method, args);
    if (fault) {
      record(fault.status, fault.body);
      return sendJson(response, fault.status, fault.body, fault.headers);
    }
    const channel = typeof args.channel === 'string' ? args.channel : typeof args.channel_id === 'string' ? args.channel_id : undefined;
    // Tiers are per workspace: the first workspace's keys keep their plain names.
    const scope = workspace === this.options.workspace ? '' : `${workspace.teamId}:`;
    const retryAfter = this.throttleEverything ?? (this.options.rateLimits ? this.limiter.check(method, channel, scope) : 0);
    if (retryAfter > 0) {
      const result = { ok: false, error: 'ratelimited' };
      record(429, result);
      return sendJson(response, 429, result, { 'retry-after': String(retryAfter) });
    }
    const result =
      method === 'apps.connections.open'
        ? { ok: true, url: this.options.issueSocketUrl(this.baseUrl) }
        : runMethod(method, args, { workspace, baseUrl: this.baseUrl, token, onBotMessage: this.options.onBotMessage });
    record(200, result);
    sendJson(response, 200, result);
  }

  private upload(fileId: string, body: Buffer, response: ServerResponse): void {
    const file = this.options.workspace.files.get(fileId);
    if (!file || file.pendingLength === undefined) {
      response.writeHead(404).end('not found');
      return;
    }
    file.bytes = body;
    file.size = body.length;
    delete file.pendingLength;
    response.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${body.length}`);
  }

  private download(pathname: string, request: IncomingMessage, response: ServerResponse): void {
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const workspace = bearer ? this.options.installs.tokens.get(bearer) : undefined;
    const match = /^\/files-pri\/([A-Z0-9]+)-([A-Z0-9]+)\//.exec(pathname);
    const file = match && workspace && match[1] === workspace.teamId ? workspace.files.get(match[2] ?? '') : undefined;
    if (!workspace) {
      this.fileRequestsWithoutAuth += 1;
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPageHtml);
      return;
    }
    if (!file) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('file not found');
      return;
    }
    response.writeHead(200, { 'content-type': file.mimetype, 'content-length': String(file.bytes.length) }).end(file.bytes);
  }

  private responseUrl(id: string, body: Buffer, request: IncomingMessage, response: ServerResponse): void {
    const target = this.responseUrls.get(id);
    if (!target || target.remaining <= 0) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('used_url');
      return;
    }
    target.remaining -= 1;
    const parsed = parseArgs(body, request.headers['content-type'] ?? 'application/json');
    this.responseUrlPosts.push({ id, body: parsed, at: Date.now() });
    const text = typeof parsed.text === 'string' ? parsed.text : '';
    const blocks = Array.isArray(parsed.blocks) ? parsed.blocks : undefined;
    const workspace = target.workspace ?? this.options.workspace;
    if (parsed.response_type === 'in_channel') {
      const message: EmulatedMessage = { channel: target.channel, ts: workspace.nextTs(), user: workspace.botUserId, botId: workspace.botId, appId: workspace.appId, text, ...(blocks ? { blocks } : {}), edits: 0, history: [text] };
      workspace.messages.push(message);
    } else {
      workspace.ephemerals.push({ channel: target.channel, user: target.user, ...(target.threadTs ? { threadTs: target.threadTs } : {}), text, ...(blocks ? { blocks } : {}), via: 'response_url' });
    }
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  }
}
