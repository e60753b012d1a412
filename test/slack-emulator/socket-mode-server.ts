/**
 * Slack's Socket Mode, emulated: `apps.connections.open` hands out a one-time ws:// URL; on
 * connect the server sends `hello`; envelopes (`events_api`, `slash_commands`, `interactive`)
 * carry an `envelope_id` the client acknowledges with `{envelope_id, payload?}`.
 *
 * `requestRefresh` plays Slack recycling a connection: a `disconnect` message with reason
 * `refresh_requested`, then (Slack: ~10 s later) the connection is closed. A client is expected
 * to open a new connection at once; envelopes go to connections that were not asked to go.
 */
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';

export type EnvelopeType = 'events_api' | 'slash_commands' | 'interactive';

export interface SocketAck {
  acked: boolean;
  elapsedMs: number;
  payload?: unknown;
}

export class SocketModeServer {
  private readonly server: WebSocketServer;
  private readonly tickets = new Set<string>();
  private readonly sockets = new Set<WebSocket>();
  private readonly pendingAcks = new Map<string, (payload: unknown) => void>();
  /** Connections that were sent a `disconnect`: no envelope is sent to them any more. */
  private readonly leaving = new WeakSet<WebSocket>();
  private readonly closeTimers = new Set<NodeJS.Timeout>();
  private pingTimer: NodeJS.Timeout | undefined;
  /** When each connection was accepted (ms since the epoch), oldest first. */
  readonly connectionsAccepted: number[] = [];

  constructor(
    httpServer: Server,
    private readonly appId: string,
  ) {
    this.server = new WebSocketServer({ noServer: true });
    httpServer.on('upgrade', (request, socket, head) => {
      const url = new URL(request.url ?? '/', 'http://emulator');
      const ticket = url.searchParams.get('ticket') ?? '';
      if (url.pathname !== '/link/' || !this.tickets.delete(ticket)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
        return;
      }
      this.server.handleUpgrade(request, socket, head, (websocket) => this.accept(websocket));
    });
    // Slack pings; the client closes a connection that has not been pinged for 30 s.
    this.pingTimer = setInterval(() => {
      for (const socket of this.sockets) socket.ping();
    }, 5_000);
    this.pingTimer.unref();
  }

  /** A fresh connection URL, as returned by apps.connections.open. */
  issueUrl(baseUrl: string): string {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return `${baseUrl.replace(/^http/, 'ws')}/link/?ticket=${ticket}`;
  }

  get connected(): number {
    return this.sockets.size;
  }

  /**
   * Asks every open connection to reconnect, as Slack does before recycling the host behind it
   * (`{"type":"disconnect","reason":"refresh_requested"}`), and closes those still open after
   * `closeAfterMs`. Returns how many connections were asked.
   */
  requestRefresh(options: { closeAfterMs?: number } = {}): number {
    const asked = [...this.sockets].filter((socket) => !this.leaving.has(socket));
    for (const socket of asked) {
      this.leaving.add(socket);
      socket.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested', debug_info: { host: 'emulator' } }));
    }
    const timer = setTimeout(() => {
      this.closeTimers.delete(timer);
      for (const socket of asked) if (this.sockets.has(socket)) socket.close(1001, 'refresh_requested');
    }, options.closeAfterMs ?? 10_000);
    timer.unref();
    this.closeTimers.add(timer);
    return asked.length;
  }

  private accept(websocket: WebSocket): void {
    this.connectionsAccepted.push(Date.now());
    this.sockets.add(websocket);
    websocket.on('close', () => this.sockets.delete(websocket));
    websocket.on('message', (data) => {
      let message: { envelope_id?: string; payload?: unknown };
      try {
        message = JSON.parse(String(data)) as typeof message;
      } catch {
        return;
      }
      const resolve = message.envelope_id ? this.pendingAcks.get(message.envelope_id) : undefined;
      if (message.envelope_id) this.pendingAcks.delete(message.envelope_id);
      resolve?.(message.payload);
    });
    websocket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.sockets.size,
        debug_info: { host: 'emulator', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.appId },
      }),
    );
  }

  /** Sends an envelope to one connected client and waits (up to `timeoutMs`) for its ack. */
  async deliver(type: EnvelopeType, payload: unknown, options: { retryAttempt?: number; retryReason?: string; timeoutMs?: number } = {}): Promise<SocketAck> {
    const socket = [...this.sockets].find((candidate) => !this.leaving.has(candidate));
    if (!socket) throw new Error('no Socket Mode client is connected');
    const envelopeId = randomUUID();
    const started = Date.now();
    const acked = new Promise<SocketAck>((resolve) => {
      const timer = setTimeout(() => {
        this.pendingAcks.delete(envelopeId);
        resolve({ acked: false, elapsedMs: Date.now() - started });
      }, options.timeoutMs ?? 3_000);
      this.pendingAcks.set(envelopeId, (ackPayload) => {
        clearTimeout(timer);
        resolve({ acked: true, elapsedMs: Date.now() - started, payload: ackPayload });
      });
    });
    socket.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type !== 'events_api',
        ...(type === 'events_api' ? { retry_attempt: options.retryAttempt ?? 0, retry_reason: options.retryReason ?? '' } : {}),
      }),
    );
    return acked;
  }

  async close(): Promise<void> {
    if (this.pingTimer) clearInterval(this.pingTimer);
    for (const timer of this.closeTimers) clearTimeout(timer);
    this.closeTimers.clear();
    for (const socket of this.sockets) socket.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
