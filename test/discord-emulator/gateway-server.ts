/**
 * The gateway WebSocket: HELLO (op 10) on connect, IDENTIFY (op 2) → READY then one
 * GUILD_CREATE per guild, HEARTBEAT (op 1) → HEARTBEAT_ACK (op 11), and DISPATCH (op 0) with a
 * sequence number for everything the emulator broadcasts. JSON encoding only, no compression.
 *
 * Sharding as Discord does it (shard-routing.ts): a connection that identified with
 * `shard: [id, count]` is told only of its shard's guilds in READY and GUILD_CREATE and receives
 * only their dispatches (DMs: shard 0); an invalid pair is closed with 4010. Every dispatch sent
 * is recorded in `deliveries`, so a test can tell which connection received what.
 */
import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { randomBytes } from 'node:crypto';
import { guildJson, userJson, type EmulatorState, type JsonObject } from './emulator-state.ts';
import { guildOfDispatch, parseShardKey, shardReceives, type ShardKey } from './shard-routing.ts';

/** Intents bit that releases message content of messages that don't mention the bot. */
const messageContentIntent = 1 << 15;

interface Session {
  /** Numbers connections in the order they were accepted, from 1. */
  connection: number;
  socket: WebSocket;
  identified: boolean;
  intents: number;
  sequence: number;
  /** IDENTIFY's `shard`; undefined when the client sent none (it receives every guild). */
  shard: ShardKey | undefined;
}

/** One dispatch sent to one connection (READY's GUILD_CREATEs included). */
export interface GatewayDelivery {
  connection: number;
  shard: ShardKey | undefined;
  event: string;
  /** The guild the event belongs to; undefined for DMs and events of no guild. */
  guildId: string | undefined;
  /** The payload's own `id` (message, interaction, channel, guild), when it has one. */
  id: string | undefined;
}

export class GatewayServer {
  private readonly server: WebSocketServer;
  private readonly sessions = new Set<Session>();
  /** Resolves whenever a session becomes identified (for tests that wait for the bot). */
  private readonly identifyWaiters: (() => void)[] = [];
  private connections = 0;
  /** Every dispatch sent, per connection, oldest first. */
  readonly deliveries: GatewayDelivery[] = [];

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

  /** The identified connections with the `shard` each sent, in the order they connected. */
  get identifiedShards(): { connection: number; shard: ShardKey | undefined }[] {
    return [...this.sessions].filter((session) => session.identified).map(({ connection, shard }) => ({ connection, shard }));
  }

  /**
   * Sends a dispatch to every identified session whose shard holds the event's guild.
   * `mentionsBot` releases content without the intent.
   */
  dispatch(event: string, data: JsonObject, options: { messageContentFor?: { mentionsBot: boolean } } = {}): void {
    const guildId = guildOfDispatch(event, data, (channelId) => this.state.channels.get(channelId)?.guildId);
    for (const session of this.sessions) {
      if (!session.identified || !shardReceives(session.shard, guildId)) continue;
      let payload = data;
      const gate = options.messageContentFor;
      if (gate && !gate.mentionsBot && (session.intents & messageContentIntent) === 0) {
        payload = { ...data, content: '', attachments: [], embeds: [], components: [] };
      }
      this.send(session, event, payload, guildId);
    }
  }

  async close(): Promise<void> {
    for (const session of this.sessions) session.socket.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private send(session: Session, event: string, payload: JsonObject, guildId: string | undefined): void {
    session.sequence += 1;
    session.socket.send(JSON.stringify({ op: 0, t: event, s: session.sequence, d: payload }));
    this.deliveries.push({ connection: session.connection, shard: session.shard, event, guildId, id: typeof payload.id === 'string' ? payload.id : undefined });
  }

  private accept(socket: WebSocket): void {
    this.connections += 1;
    const session: Session = { connection: this.connections, socket, identified: false, intents: 0, sequence: 0, shard: undefined };
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
        this.identify(session, packet.d as { token?: string; intents?: number; shard?: unknown } | undefined);
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

  private identify(session: Session, data: { token?: string; intents?: number; shard?: unknown } | undefined): void {
    const token = (data?.token ?? '').replace(/^Bot\s+/i, '');
    if (token !== this.token()) {
      session.socket.close(4004, 'Authentication failed.');
      return;
    }
    if (session.identified) {
      session.socket.close(4005, 'Already authenticated.');
      return;
    }
    const shard = parseShardKey(data?.shard);
    if (shard === 'invalid') {
      session.socket.close(4010, 'Invalid shard.');
      return;
    }
    session.identified = true;
    session.intents = data?.intents ?? 0;
    session.shard = shard;
    const guilds = [...this.state.guilds.values()].filter((guild) => shardReceives(shard, guild.id));
    const ready = {
      v: 10,
      user: { ...userJson(this.state.botUser), verified: true, mfa_enabled: false, bot: true },
      guilds: guilds.map((guild) => ({ id: guild.id, unavailable: true })),
      session_id: randomBytes(16).toString('hex'),
      resume_gateway_url: this.gatewayUrl(),
      shard: shard ?? [0, 1],
      application: { id: this.state.applicationId, flags: 0, ...this.readyApplication },
      user_settings: {},
      relationships: [],
      private_channels: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
    };
    this.send(session, 'READY', ready, undefined);
    for (const guild of guilds) this.send(session, 'GUILD_CREATE', guildJson(guild, this.state), guild.id);
    for (const waiter of this.identifyWaiters.splice(0)) waiter();
  }
}
