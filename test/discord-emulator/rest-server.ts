/**
 * The HTTP side of the emulator: `/api/v10/...` REST routes with Discord's auth, errors and
 * rate-limit headers, and the CDN: `/cdn/attachments/...` serving uploaded files and
 * `/cdn/avatars/{webhook id}/{hash}.png` serving webhook avatars. Every 429 it sends is counted in
 * `stats.rateLimitHits` and described in `stats.rateLimited`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DiscordApiError, parseBody, readBody, type Route, type RouteResponse } from './http-kit.ts';
import { RateLimiter, rateLimitHeaders, type LimitCheck } from './rate-limiter.ts';
import type { EmulatorContext } from './emulator-context.ts';
import { DiscordFaults } from './injected-faults.ts';

export class RestServer {
  readonly limiter = new RateLimiter();
  /** Failures a test injected (injected-faults.ts): answered after auth and rate limits, before the route runs. */
  readonly faults = new DiscordFaults();

  constructor(
    private readonly context: EmulatorContext,
    private readonly routes: Route[],
    private readonly token: () => string,
  ) {}

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://emulator.invalid');
    const method = request.method ?? 'GET';
    if (url.pathname.startsWith('/cdn/')) return this.serveCdn(url.pathname.slice('/cdn/'.length), response);
    const rawPath = /^\/api(?:\/v\d+)?(\/.*)$/.exec(url.pathname)?.[1] ?? url.pathname;
    const path = safeDecode(rawPath);
    let result: RouteResponse;
    try {
      result = await this.route(method, path, rawPath, url.searchParams, request);
    } catch (error) {
      result = this.errorResponse(error);
    }
    this.context.stats.requests.push({ method, path, status: result.status, at: Date.now() });
    const headers: Record<string, string> = { ...result.headers };
    if (result.body !== undefined) headers['content-type'] = 'application/json';
    response.writeHead(result.status, headers);
    response.end(result.body === undefined ? undefined : JSON.stringify(result.body));
  }

  private async route(method: string, path: string, rawPath: string, query: URLSearchParams, request: IncomingMessage): Promise<RouteResponse> {
    let params: string[] | undefined;
    const matches = (candidate: Route, target: string) => {
      if (candidate.method !== method) return false;
      const found = candidate.pattern.exec(target);
      if (found) params = found.slice(1).map((part) => part ?? '');
      return found !== null;
    };
    const route = this.routes.find((candidate) => candidate.undecoded && matches(candidate, rawPath)) ?? this.routes.find((candidate) => !candidate.undecoded && matches(candidate, path));
    const raw = await readBody(request);
    if (!route || !params) return { status: 404, body: { message: '404: Not Found', code: 0 } };
    const authorization = request.headers.authorization ?? '';
    const authenticated = authorization === `Bot ${this.token()}`;
    if (route.auth && !authenticated) return { status: 401, body: { message: '401: Unauthorized', code: 0 } };
    const body = await parseBody(request.headers['content-type'], raw);
    const routeRequest = { method, params, query, body, authenticated };
    const plan = route.rateLimit?.(routeRequest);
    let headers: Record<string, string> = {};
    if (plan) {
      if (plan.shared && !this.limiter.peek(plan.shared.key, plan.shared)) {
        const check = this.limiter.take(plan.shared.key, plan.shared);
        return this.tooManyRequests(method, path, plan.shared.key, check, 'shared', {});
      }
      if (plan.bucket) {
        const check = this.limiter.take(plan.bucket.key, plan.bucket);
        headers = rateLimitHeaders(check);
        if (!check.allowed) return this.tooManyRequests(method, path, plan.bucket.key, check, 'user', headers);
      }
      if (plan.shared) this.limiter.take(plan.shared.key, plan.shared);
    }
    const result = this.faults.take(method, path) ?? (await route.handle(routeRequest));
    return { ...result, headers: { ...headers, ...result.headers } };
  }

  private tooManyRequests(method: string, path: string, bucket: string, check: LimitCheck, scope: 'user' | 'shared', headers: Record<string, string>): RouteResponse {
    const { stats } = this.context;
    stats.rateLimitHits += 1;
    stats.rateLimitedPaths.push(path);
    stats.rateLimited.push({ method, path, scope, bucket, countInWindow: check.count, windowStartedAt: check.windowStartedAt, at: Date.now() });
    const retryAfter = Math.max(0.001, check.resetAfterMs / 1000);
    return {
      status: 429,
      headers: { ...headers, 'retry-after': String(Math.ceil(retryAfter)), 'x-ratelimit-scope': scope },
      body: { message: 'You are being rate limited.', retry_after: Number(retryAfter.toFixed(3)), global: false },
    };
  }

  private errorResponse(error: unknown): RouteResponse {
    if (error instanceof DiscordApiError) {
      return { status: error.status, body: { message: error.message, code: error.code, ...(error.errors ? { errors: error.errors } : {}) } };
    }
    return { status: 500, body: { message: error instanceof Error ? error.message : String(error), code: 0 } };
  }

  private serveCdn(path: string, response: ServerResponse): void {
    // Attachments are stored as `{channel}/{id}/{file}`, webhook avatars as `avatars/{webhook}/{hash}.png`.
    const key = path.replace(/^attachments\//, '');
    const blob = this.context.state.blobs.get(safeDecode(key));
    if (!blob) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('Not Found');
      return;
    }
    response.writeHead(200, { 'content-type': blob.contentType, 'content-length': String(blob.bytes.length) });
    response.end(blob.bytes);
  }
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
