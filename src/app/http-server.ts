/**
 * The bot's own HTTP server (HTTP_PORT; 0 = off): `/healthz`, `/metrics` (Prometheus text), and
 * persona avatars at content-hashed URLs (`/avatars/<hash>.png`, cacheable forever).
 */
import { createServer, type Server } from 'node:http';
import type { Logger } from '../logging/logger.ts';

export interface HttpServerHandlers {
  health(): Promise<{ ok: boolean; checks: Record<string, boolean> }>;
  metrics(): Promise<{ contentType: string; body: string }>;
  avatar(hash: string): Buffer | undefined;
}

export async function startHttpServer(host: string, port: number, handlers: HttpServerHandlers, logger: Logger): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const reply = async () => {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405).end();
        return;
      }
      if (path === '/healthz') {
        const health = await handlers.health();
        response.writeHead(health.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(health));
        return;
      }
      if (path === '/metrics') {
        const metrics = await handlers.metrics();
        response.writeHead(200, { 'content-type': metrics.contentType }).end(metrics.body);
        return;
      }
      const avatar = /^\/avatars\/([a-f0-9]{8,64})\.png$/.exec(path);
      if (avatar?.[1]) {
        const png = handlers.avatar(avatar[1]);
        if (png) {
          response.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'public, max-age=31536000, immutable', 'content-length': png.length }).end(png);
          return;
        }
      }
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    };
    reply().catch((error: unknown) => {
      logger.error({ err: error, path }, 'http handler failed');
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  logger.info({ host, port: typeof address === 'object' && address ? address.port : port }, 'http server listening (/healthz, /metrics, /avatars)');
  return server;
}
