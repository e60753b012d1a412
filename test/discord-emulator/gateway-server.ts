/**
 * The gateway WebSocket: HELLO (op 10) on connect, IDENTIFY (op 2) → READY then one
 * GUILD_CREATE per guild, HEARTBEAT (op 1) → HEARTBEAT_ACK (op 11), and DISPATCH (op 0) with a
 * sequence number for everything the emulator broadcasts. JSON encoding only, no compression.
 */
import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { randomBytes } from 'node:crypto';
import { guildJson, userJson, type EmulatorState, type JsonObject } from './emulator-state.ts';

/** Intents bit that releases message content of messages that don't mention the bot. */
const messageContentIntent = 1 << 15;

interface Session {
  socket: WebSocket;
  identified: boolean;
  intents: number;
  sequence: number;
}

export class GatewayServer {
  private readonly server: WebSocketServer;
  private readonly sessions = new Set<Session>();
  /** Resolves whenever a session becomes identified (for tests that wait for the bot). */
  private readonly identifyWaiters: (() => void)[] = [];

  constructor(
    httpServer: Server,
    private readonly state: EmulatorState,
    private readonly token: () => string,
    private readonly gatewayUrl: () => string,
    readonly heartbeatIntervalMs = 41_250,
    private readonly readyApplication: Record<string, unknown> = {},
  ) {
    this.server = new WebSocketServer({ server: httpServer, path: '/gateway' });
    this.server.on('connection', (socket) => this.accept(socket));
  }

  get identifiedCount(): number {
    return [...this.sessions].filter((session) => session.identified).length;
  }

  waitForIdentify(): Promise<void> {
    if (this.identifiedCount > 0) return Promise.resolve();
    return new Promise((resolve) => this.identifyWaiters.push(resolve));
  }

  /** Sends a dispatch to every identified session. `mentionsBot` releases content without the intent. */
  dispatch(event: string, data: JsonObject, options: { messageContentFor?: { mentionsBot: boolean } } = {}): void {
    for (const session of this.sessions) {
      if (!session.identified) continue;
      let payload = data;
      const gate = options.messageContentFor;
      if (gate && !gate.mentionsBot && (session.intents & messageContentIntent) === 0) {
        payload = { ...data, content: '', attachments: [], embeds: [], components: [] };
      }
      session.sequence += 1;
      session.socket.send(JSON.stringify({ op: 0, t: event, s: session.sequence, d: payload }));
    }
  }

  async close(): Promise<void> {
    for (const session of this.sessions) session.socket.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    const session: Session = { socket, identified: false, intents: 0, sequence: 0 };
    this.sessions.add(session);
    socket.on('close', () => this.sessions.delete(session));
    socket.on('message', (raw) => this.receive(session, raw.toString()));
    socket.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.heartbeatIntervalMs }, s: null, t: null }));
  }

  private receive(session: Session, raw: string): void {
    let packet: { op?: number; d?: unknown };
    try {
      packet = JSON.parse(raw) as { op?: number; d?: unknown };
    } catch {
      session.socket.close(4002, 'Decode error');
      return;
    }
    switch (packet.op) {
      case 1:
        session.socket.send(JSON.stringify({ op: 11, d: null, s: null, t: null }));
        return;
      case 2:
        this.identify(session, packet.d as { token?: string; intents?: number } | undefined);
        return;
      case 6:
        // No resumable state: tell the client to identify again.
        session.socket.send(JSON.stringify({ op: 9, d: false, s: null, t: null }));
        return;
      case 3:
      case 4:
      case 8:
        return;
      default:
        session.socket.close(4001, 'Unknown opcode');
    }
  }

  private identify(session: Session, data: { token?: string; intents?: number } | undefined): void {
    const token = (data?.token ?? '').replace(/^Bot\s+/i, '');
    if (token !== this.token()) {
      session.socket.close(4004, 'Authentication failed.');
      return;
    }
    if (session.identified) {
      session.socket.close(4005, 'Already authenticated.');
      return;
    }
    session.identified = true;
    session.intents = data?.intents ?? 0;
    session.sequence += 1;
    const ready = {
      v: 10,
      user: { ...userJson(this.state.botUser), verified: true, mfa_enabled: false, bot: true },
      guilds: [...this.state.guilds.keys()].map((id) => ({ id, unavailable: true })),
      session_id: randomBytes(16).toString('hex'),
      resume_gateway_url: this.gatewayUrl(),
      shard: [0, 1],
      application: { id: this.state.applicationId, flags: 0, ...this.readyApplication },
      user_settings: {},
      relationships: [],
      private_channels: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
    };
    session.socket.send(JSON.stringify({ op: 0, t: 'READY', s: session.sequence, d: ready }));
    for (const guild of this.state.guilds.values()) {
      session.sequence += 1;
      session.socket.send(JSON.stringify({ op: 0, t: 'GUILD_CREATE', s: session.sequence, d: guildJson(guild, this.state) }));
    }
    for (const waiter of this.identifyWaiters.splice(0)) waiter();
  }
}
