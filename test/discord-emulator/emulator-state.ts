/**
 * The emulator's world: users, guilds with roles and members, channels and threads, messages,
 * webhooks, interactions and stored attachments, plus their Discord JSON shapes.
 */
import { nextSnowflake } from './snowflake.ts';
import { computePermissions, type PermissionOverwrite, type RoleRecord } from './permissions.ts';
import type { ModalTextInput } from './components.ts';

export type JsonObject = Record<string, unknown>;

export interface UserRecord {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
}

export interface MemberRecord {
  userId: string;
  roleIds: string[];
  nick: string | null;
  joinedAt: string;
}

export interface GuildRecord {
  id: string;
  name: string;
  ownerId: string;
  roles: RoleRecord[];
  members: Map<string, MemberRecord>;
}

export interface ChannelRecord {
  id: string;
  /** 0 = guild text, 11 = public thread. */
  type: 0 | 11;
  guildId: string;
  name: string;
  parentId: string | null;
  ownerId: string | null;
  overwrites: PermissionOverwrite[];
  archived: boolean;
  locked: boolean;
  autoArchiveDuration: number;
  createdAt: string;
  lastMessageId: string | null;
  messageCount: number;
}

export interface Pings {
  everyone: boolean;
  users: string[];
  roles: string[];
}

export interface MessageRecord {
  json: JsonObject;
  channelId: string;
  /** Webhook messages: the username they were posted under. */
  webhookUsername?: string;
  avatarUrl?: string;
  /** `allowed_mentions` as sent on the create and on every edit (undefined = not sent). */
  allowedMentionsHistory: (JsonObject | undefined)[];
  /** Everything this message ever pinged (create and edits). */
  pings: Pings;
  edits: { content: string; at: number }[];
  ephemeral: boolean;
  deleted: boolean;
}

export interface WebhookRecord {
  id: string;
  token: string;
  channelId: string;
  guildId: string;
  name: string;
  avatar: string | null;
  creatorId: string;
  applicationId: string | null;
}

export interface InteractionRecord {
  id: string;
  token: string;
  /** 2 APPLICATION_COMMAND, 3 MESSAGE_COMPONENT, 5 MODAL_SUBMIT. */
  type: 2 | 3 | 5;
  channelId: string;
  guildId: string;
  userId: string;
  createdAt: number;
  /** Callback types received, in order (4, 5, 6, 7, …). */
  callbacks: { type: number; data: JsonObject | undefined; at: number }[];
  originalMessageId: string | undefined;
  /** The message a component sat on. */
  sourceMessageId: string | undefined;
  followUpIds: string[];
  ephemeral: boolean;
  /** The modal this interaction answered with (callback type 9), as sent and as its inputs. */
  modal?: { data: JsonObject; inputs: ModalTextInput[] };
}

export interface AttachmentBlob {
  bytes: Buffer;
  contentType: string;
}

export class EmulatorState {
  readonly users = new Map<string, UserRecord>();
  readonly guilds = new Map<string, GuildRecord>();
  readonly channels = new Map<string, ChannelRecord>();
  readonly messages = new Map<string, MessageRecord>();
  readonly webhooks = new Map<string, WebhookRecord>();
  readonly interactions = new Map<string, InteractionRecord>();
  readonly blobs = new Map<string, AttachmentBlob>();
  /** Registered application commands: key `global` or the guild id. */
  readonly commands = new Map<string, JsonObject[]>();

  constructor(
    readonly botUser: UserRecord,
    readonly applicationId: string,
  ) {
    this.users.set(botUser.id, botUser);
  }

  addUser(username: string, options: { bot?: boolean; id?: string } = {}): UserRecord {
    const user: UserRecord = { id: options.id ?? nextSnowflake(), username, globalName: username, bot: options.bot ?? false };
    this.users.set(user.id, user);
    return user;
  }

  guildOf(channel: ChannelRecord): GuildRecord {
    const guild = this.guilds.get(channel.guildId);
    if (!guild) throw new Error(`no guild ${channel.guildId}`);
    return guild;
  }

  /** Threads are governed by their parent's overwrites. */
  permissionsOf(userId: string, channel: ChannelRecord): bigint {
    const guild = this.guildOf(channel);
    const governing = channel.parentId ? (this.channels.get(channel.parentId) ?? channel) : channel;
    return computePermissions({
      guildId: guild.id,
      ownerId: guild.ownerId,
      userId,
      memberRoleIds: guild.members.get(userId)?.roleIds ?? [],
      roles: guild.roles,
      overwrites: governing.overwrites,
    });
  }

  channelMessages(channelId: string): MessageRecord[] {
    return [...this.messages.values()].filter((message) => message.channelId === channelId && !message.deleted);
  }
}

export function userJson(user: UserRecord): JsonObject {
  return {
    id: user.id,
    username: user.username,
    global_name: user.globalName,
    discriminator: '0',
    avatar: null,
    bot: user.bot,
    system: false,
    public_flags: 0,
    flags: 0,
  };
}

export function memberJson(member: MemberRecord, user?: UserRecord): JsonObject {
  return {
    ...(user ? { user: userJson(user) } : {}),
    roles: member.roleIds,
    nick: member.nick,
    avatar: null,
    joined_at: member.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    pending: false,
    flags: 0,
    communication_disabled_until: null,
  };
}

export function roleJson(role: RoleRecord): JsonObject {
  return {
    id: role.id,
    name: role.name,
    color: 0,
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: role.permissions.toString(),
    managed: false,
    mentionable: false,
    flags: 0,
  };
}

export function channelJson(channel: ChannelRecord): JsonObject {
  const common = {
    id: channel.id,
    type: channel.type,
    guild_id: channel.guildId,
    name: channel.name,
    last_message_id: channel.lastMessageId,
    rate_limit_per_user: 0,
    flags: 0,
  };
  if (channel.type === 11) {
    return {
      ...common,
      parent_id: channel.parentId,
      owner_id: channel.ownerId,
      message_count: channel.messageCount,
      total_message_sent: channel.messageCount,
      member_count: 1,
      applied_tags: [],
      thread_metadata: {
        archived: channel.archived,
        auto_archive_duration: channel.autoArchiveDuration,
        archive_timestamp: channel.createdAt,
        locked: channel.locked,
        create_timestamp: channel.createdAt,
      },
    };
  }
  return {
    ...common,
    position: 0,
    parent_id: null,
    topic: null,
    nsfw: false,
    permission_overwrites: channel.overwrites.map((overwrite) => ({
      id: overwrite.id,
      type: overwrite.type,
      allow: overwrite.allow.toString(),
      deny: overwrite.deny.toString(),
    })),
  };
}

export function webhookJson(webhook: WebhookRecord, state: EmulatorState, withToken: boolean): JsonObject {
  const creator = state.users.get(webhook.creatorId);
  return {
    id: webhook.id,
    type: 1,
    guild_id: webhook.guildId,
    channel_id: webhook.channelId,
    name: webhook.name,
    avatar: webhook.avatar,
    application_id: webhook.applicationId,
    ...(withToken ? { token: webhook.token } : {}),
    ...(creator ? { user: userJson(creator) } : {}),
  };
}

export function guildJson(guild: GuildRecord, state: EmulatorState): JsonObject {
  const channels = [...state.channels.values()].filter((channel) => channel.guildId === guild.id);
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 1,
    explicit_content_filter: 0,
    roles: guild.roles.map(roleJson),
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    preferred_locale: 'en-US',
    public_updates_channel_id: null,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    large: false,
    unavailable: false,
    member_count: guild.members.size,
    joined_at: new Date().toISOString(),
    voice_states: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    members: [...guild.members.values()].map((member) => memberJson(member, state.users.get(member.userId))),
    channels: channels.filter((channel) => channel.type !== 11).map(channelJson),
    threads: channels.filter((channel) => channel.type === 11 && !channel.archived).map(channelJson),
  };
}
