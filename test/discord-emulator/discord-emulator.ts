/**
 * A loopback Discord for tests: REST under `/api/v10`, the gateway WebSocket at `/gateway`
 * (announced by `GET /gateway/bot`), a CDN path for attachments, and a driver API that plays
 * people (messages and replies, slash commands, button clicks, modal submissions dispatched over
 * the gateway as Discord does) plus inspection (messages with their webhook usernames,
 * allowed_mentions and edits; modals shown; 429 count).
 *
 * Point discord.js at it with `rest: { api: emulator.apiUrl, cdn: emulator.cdnUrl }`.
 *
 * Gateway shards: `addGuild(name, { shard: [id, count] })` makes a guild whose id falls on that
 * shard; connections that identified with a `shard` get only their guilds' events
 * (gateway-server.ts), and `gatewayDeliveries` tells which connection received which dispatch.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { nextSnowflake } from './snowflake.ts';
import { channelJson, EmulatorState, guildJson, memberJson, userJson, type ChannelRecord, type GuildRecord, type InteractionRecord, type JsonObject, type MessageRecord, type UserRecord } from './emulator-state.ts';
import { Permission, permissionBits, type PermissionName } from './permissions.ts';
import { GatewayServer, type GatewayDelivery } from './gateway-server.ts';
import { createGuild, guildIdOnShard, managerRoleOf } from './guild-factory.ts';
import type { ShardKey } from './shard-routing.ts';
import { RestServer } from './rest-server.ts';
import { discordLimits, type EmulatorContext, type EmulatorLimits } from './emulator-context.ts';
import { channelRoutes } from './routes-channels.ts';
import { webhookRoutes } from './routes-webhooks.ts';
import { interactionCallbackRoutes } from './routes-interactions.ts';
import { miscRoutes } from './routes-misc.ts';
import { openThread } from './routes-channels.ts';
import type { InteractionDelivery } from './interaction-dispatch.ts';
import { personClicksButton, personRunsCommand, personSendsMessage, personSubmitsModal, type UserAttachment } from './people-actions.ts';
import type { DiscordFaultRule, InjectedDiscordFault } from './injected-faults.ts';

export interface EmulatorOptions {
  token?: string;
  botName?: string;
  limits?: Partial<EmulatorLimits>;
  heartbeatIntervalMs?: number;
  /**
   * Extra fields of READY's `application` object, as other Discord-compatible servers send them
   * (e.g. `{ install_params: null }`, which crashes discord.js unguarded).
   */
  readyApplication?: Record<string, unknown>;
  /** `GET /gateway/bot`: the recommended shard count (`shards`, default 1) and `max_concurrency` (default 1). */
  gatewayBot?: { shards?: number; maxConcurrency?: number };
}

export class DiscordEmulator {
  readonly state: EmulatorState;
  readonly token: string;
  readonly guildId: string;
  readonly channelId: string;
  readonly owner: UserRecord;
  readonly managerRoleId: string;
  private readonly context: EmulatorContext;
  private readonly httpServer: Server;
  private readonly gateway: GatewayServer;
  private readonly rest: RestServer;
  private port = 0;

  private constructor(options: EmulatorOptions) {
    this.token = options.token ?? `emulator.${randomBytes(12).toString('hex')}`;
    const botUser: UserRecord = { id: nextSnowflake(), username: options.botName ?? 'TableRound', globalName: null, bot: true };
    this.state = new EmulatorState(botUser, botUser.id);
    this.httpServer = createServer((request, response) => {
      void this.rest.handle(request, response);
    });
    this.gateway = new GatewayServer(this.httpServer, this.state, () => this.token, () => this.gatewayUrl, options.heartbeatIntervalMs, options.readyApplication);
    this.context = {
      state: this.state,
      gateway: this.gateway,
      limits: { ...discordLimits, ...options.limits },
      hooks: { threadCreated: new Set(), messageCreated: new Set() },
      baseUrl: () => this.baseUrl,
      stats: { rateLimitHits: 0, rateLimitedPaths: [], rateLimited: [], requests: [], typing: [] },
    };
    const routes = [
      ...miscRoutes(this.context, () => this.gatewayUrl, options.gatewayBot),
      ...channelRoutes(this.context),
      ...webhookRoutes(this.context),
      ...interactionCallbackRoutes(this.context),
    ];
    this.rest = new RestServer(this.context, routes, () => this.token);
    // The default world: one guild, one text channel, an owner, a bot role and a manager role.
    this.owner = this.state.addUser('owner');
    const guild = createGuild(this.state, { id: nextSnowflake(), name: 'Emulated Guild', owner: this.owner });
    this.guildId = guild.id;
    this.managerRoleId = managerRoleOf(guild);
    this.channelId = this.addTextChannel('general').id;
  }

  static async start(options: EmulatorOptions = {}): Promise<DiscordEmulator> {
    const emulator = new DiscordEmulator(options);
    await new Promise<void>((resolve) => emulator.httpServer.listen(0, '127.0.0.1', resolve));
    emulator.port = (emulator.httpServer.address() as AddressInfo).port;
    return emulator;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  /** For discord.js `rest.api` / DISCORD_API_URL (discord.js appends `/v10`). */
  get apiUrl(): string {
    return `${this.baseUrl}/api`;
  }
  get cdnUrl(): string {
    return `${this.baseUrl}/cdn`;
  }
  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}/gateway`;
  }
  get botUser(): UserRecord {
    return this.state.botUser;
  }
  get applicationId(): string {
    return this.state.applicationId;
  }
  get limits(): EmulatorLimits {
    return this.context.limits;
  }
  /** Every 429 the emulator answered. */
  get rateLimitHits(): number {
    return this.context.stats.rateLimitHits;
  }
  get stats(): EmulatorContext['stats'] {
    return this.context.stats;
  }

  /** Answers matching REST requests with a documented failure instead of running them (injected-faults.ts). */
  injectFault(rule: DiscordFaultRule): void {
    this.rest.faults.add(rule);
  }

  /** Every failure answered so far because of `injectFault`, oldest first. */
  get injectedFaults(): InjectedDiscordFault[] {
    return this.rest.faults.injected;
  }

  waitForBot(): Promise<void> {
    return this.gateway.waitForIdentify();
  }

  /** Every dispatch the gateway sent, per connection and with the guild it belongs to, oldest first. */
  get gatewayDeliveries(): readonly GatewayDelivery[] {
    return this.gateway.deliveries;
  }

  /** The identified gateway connections and the `shard` each sent in IDENTIFY (undefined: none). */
  get gatewayConnections(): { connection: number; shard: ShardKey | undefined }[] {
    return this.gateway.identifiedShards;
  }

  async close(): Promise<void> {
    await this.gateway.close();
    this.httpServer.closeAllConnections();
    await new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
  }

  // ---- world setup ----

  /**
   * Another guild the bot is in, owned by the default owner; `shard: [id, count]` picks an id on
   * that gateway shard. A connected bot is told with GUILD_CREATE (on the guild's shard).
   */
  addGuild(name: string, options: { shard?: ShardKey } = {}): GuildRecord {
    const id = options.shard ? guildIdOnShard(options.shard[0], options.shard[1]) : nextSnowflake();
    const guild = createGuild(this.state, { id, name, owner: this.owner });
    if (this.gateway.identifiedCount > 0) this.gateway.dispatch('GUILD_CREATE', guildJson(guild, this.state));
    return guild;
  }

  /**
   * A guild text channel (in the default guild unless `guildId` names another). `announce: false`
   * skips CHANNEL_CREATE, so a connected bot's cache does not know the channel (as when an event
   * was lost or the server never sent it).
   */
  addTextChannel(name: string, options: { announce?: boolean; guildId?: string } = {}): ChannelRecord {
    const channel: ChannelRecord = {
      id: nextSnowflake(),
      type: 0,
      guildId: options.guildId ?? this.guildId,
      name,
      parentId: null,
      ownerId: null,
      overwrites: [],
      archived: false,
      locked: false,
      autoArchiveDuration: 1440,
      createdAt: new Date().toISOString(),
      lastMessageId: null,
      messageCount: 0,
    };
    this.state.channels.set(channel.id, channel);
    if (this.gateway.identifiedCount > 0 && options.announce !== false) this.gateway.dispatch('CHANNEL_CREATE', channelJson(channel));
    return channel;
  }

  /** A public thread in a text channel, opened by a person (announced with THREAD_CREATE). */
  addThread(parentId: string, name: string, owner: UserRecord = this.owner): ChannelRecord {
    const thread = openThread(this.context, this.channelOrThrow(parentId), name, nextSnowflake(), 1440);
    thread.ownerId = owner.id;
    return thread;
  }

  /** A member of the default guild (or of `guildId`); `manager` gives the Moderators role (Manage Threads). */
  addMember(username: string, options: { manager?: boolean; guildId?: string } = {}): UserRecord {
    const user = this.state.addUser(username);
    const guild = this.state.guilds.get(options.guildId ?? this.guildId);
    if (!guild) throw new Error(`no guild ${options.guildId}`);
    guild.members.set(user.id, { userId: user.id, roleIds: options.manager ? [managerRoleOf(guild)] : [], nick: null, joinedAt: new Date().toISOString() });
    return user;
  }

  /** Denies the bot permissions in one channel (a member overwrite, as a server admin would). */
  denyBotPermissions(channelId: string, ...names: PermissionName[]): void {
    const channel = this.state.channels.get(channelId);
    if (!channel) throw new Error(`no channel ${channelId}`);
    channel.overwrites = channel.overwrites.filter((overwrite) => overwrite.id !== this.botUser.id);
    channel.overwrites.push({ id: this.botUser.id, type: 1, allow: 0n, deny: permissionBits(...names) });
    this.gateway.dispatch('CHANNEL_UPDATE', channelJson(channel));
  }

  /**
   * Runs `listener` whenever a thread is opened through REST, after THREAD_CREATE and before the
   * emulator answers (the answer waits for a returned promise), so a test can slip gateway
   * events into the bot's await on `openSessionThread`. Returns the function that removes it.
   */
  onThreadCreated(listener: (thread: ChannelRecord) => void | Promise<void>): () => void {
    this.context.hooks.threadCreated.add(listener);
    return () => this.context.hooks.threadCreated.delete(listener);
  }

  /**
   * Runs `listener` whenever the bot creates a message through REST, before the emulator answers
   * (the answer waits for a returned promise): the message is visible while the bot still awaits
   * its post. Returns the function that removes it.
   */
  onBotMessageCreated(listener: (message: MessageRecord) => void | Promise<void>): () => void {
    this.context.hooks.messageCreated.add(listener);
    return () => this.context.hooks.messageCreated.delete(listener);
  }

  /**
   * GUILD_MEMBER_UPDATE for a member the way some Discord-compatible servers send it: the user
   * is partial — by default only its id with the name fields present but null, which discord.js
   * copies over the cached user (a user of just `{ id }` leaves discord.js 14's cache as it was)
   * — and `nick` is null.
   */
  sendMemberUpdate(userId: string, options: { user?: JsonObject; nick?: string | null } = {}): void {
    const member = this.state.guilds.get(this.guildId)?.members.get(userId);
    if (!member) throw new Error(`${userId} is not a member`);
    this.gateway.dispatch('GUILD_MEMBER_UPDATE', {
      ...memberJson(member),
      guild_id: this.guildId,
      user: options.user ?? { id: userId, username: null, global_name: null },
      nick: options.nick ?? null,
    });
  }

  /**
   * Sends one gateway dispatch (op 0) named `eventName` with `data` exactly as given — no
   * message-content gating, no state change — so a test can deliver a payload taken from
   * Discord's documentation. Whatever the payload refers to (channels, messages, interactions)
   * must already exist in `state` if the bot is expected to act on it over REST.
   */
  dispatchRaw(eventName: string, data: JsonObject): void {
    this.gateway.dispatch(eventName, data);
  }

  /** Deletes a webhook behind the bot's back (to exercise "Unknown Webhook"). */
  deleteWebhook(webhookId: string): void {
    this.state.webhooks.delete(webhookId);
  }

  // ---- people ----

  /** A person's message; `replyTo` makes it a reply (type 19) to that message of the same channel. */
  userSendsMessage(channelId: string, author: UserRecord, content: string, attachments: UserAttachment[] = [], options: { replyTo?: string } = {}): MessageRecord {
    return personSendsMessage(this.context, channelId, author, content, attachments, options);
  }

  /** A person runs a slash command (people-actions.ts: `delivery.partialChannel`, attachment options). */
  userRunsCommand(channelId: string, user: UserRecord, name: string, options: Record<string, string | number | UserAttachment> = {}, delivery: InteractionDelivery = {}): InteractionRecord {
    return personRunsCommand(this.context, channelId, user, name, options, delivery);
  }

  /** A person clicks a button of a message the application owns (people-actions.ts). */
  userClicksButton(channelId: string, messageId: string, user: UserRecord, customId: string): InteractionRecord {
    return personClicksButton(this.context, channelId, messageId, user, customId);
  }

  /** The person submits the modal that `shownBy` opened, a value per text input custom_id (people-actions.ts). */
  userSubmitsModal(shownBy: string, values: Record<string, string>, user?: UserRecord): InteractionRecord {
    return personSubmitsModal(this.context, shownBy, values, user);
  }

  // ---- inspection ----

  messagesIn(channelId: string, options: { includeEphemeral?: boolean } = {}): MessageRecord[] {
    return this.state.channelMessages(channelId).filter((message) => options.includeEphemeral || !message.ephemeral);
  }

  threadsOf(channelId: string): ChannelRecord[] {
    return [...this.state.channels.values()].filter((channel) => channel.parentId === channelId);
  }

  channel(channelId: string): ChannelRecord | undefined {
    return this.state.channels.get(channelId);
  }

  interaction(interactionId: string): InteractionRecord | undefined {
    return this.state.interactions.get(interactionId);
  }

  /** Every message the interaction produced (original response and follow-ups), ephemeral or not. */
  interactionMessages(interactionId: string): MessageRecord[] {
    const interaction = this.state.interactions.get(interactionId);
    if (!interaction) return [];
    return [interaction.originalMessageId, ...interaction.followUpIds]
      .map((messageId) => (messageId ? this.state.messages.get(messageId) : undefined))
      .filter((message): message is MessageRecord => message !== undefined && !message.deleted);
  }

  /** Polls `probe` (awaited: it may be async) until it returns something other than undefined or false. */
  async waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  private channelOrThrow(channelId: string): ChannelRecord {
    const channel = this.state.channels.get(channelId);
    if (!channel) throw new Error(`no channel ${channelId}`);
    return channel;
  }
}

export { userJson, Permission };
export type { UserAttachment };
export { botPermissionNames } from './guild-factory.ts';
export type { ChannelRecord, InteractionDelivery, InteractionRecord, MessageRecord, UserRecord };
