/** What the inbound handlers (messages, slash commands, buttons) share. */
import { PermissionFlagsBits, type Attachment, type Client, type Collection, type GuildMember, type GuildBasedChannel, type REST, type User, type APIChannel, Routes } from 'discord.js';
import type { RedisClient } from '../../src/store/redis-connection.ts';
import type { Config } from '../../src/config/config-schema.ts';
import type { Logger } from '../../src/logging/logger.ts';
import type { RedisKeys } from '../../src/store/keys.ts';
import type { RoundtableService } from '../../src/engine/roundtable-service.ts';
import type { ImageReference, Person } from '../../src/adapter/inbound-event.ts';
import type { AdapterDependencies } from '../../src/adapter/platform-adapter.ts';
import { threadNameFromTopic } from './format-content.ts';
import { DiscordErrorCode, isDiscordError } from './discord-errors.ts';
import { handleOnce, type Handling } from '../shared/inbound-claim.ts';

export interface InboundContext {
  client: Client;
  rest: REST;
  config: Config;
  logger: Logger;
  redis: RedisClient;
  keys: RedisKeys;
  roundtable: RoundtableService;
  commands: AdapterDependencies['commands'];
  runCommand: AdapterDependencies['runCommand'];
  /** The session's language, for answers to people (never throws; undefined means English). */
  languageOf(sessionId: string): Promise<string | undefined>;
}

/** How long a handled mention stays claimed (gateway replays and resumes repeat events). */
const seenTtlSeconds = 24 * 3600;
const imageExtension = /\.(png|jpe?g|gif|webp|heic|heif|bmp|tiff?|avif)$/i;

/**
 * Runs `work` for an inbound event the first time it is seen; a duplicate is skipped. A failure
 * a redelivery can fix releases the claim (adapters/shared/inbound-claim.ts).
 */
export async function onFirstSighting(context: InboundContext, eventId: string, work: () => Promise<Handling>): Promise<void> {
  await handleOnce(context.redis, context.keys.inboundSeen('discord', eventId), seenTtlSeconds, work);
}

/** DISCORD_ALLOWED_GUILDS / DISCORD_ALLOWED_CHANNELS (empty = everywhere). Threads count as their parent. */
export function isAllowed(config: Config, guildId: string | null, channel: GuildBasedChannel | null): boolean {
  if (config.DISCORD_ALLOWED_GUILDS.length > 0 && !config.DISCORD_ALLOWED_GUILDS.includes(guildId ?? '')) return false;
  if (config.DISCORD_ALLOWED_CHANNELS.length === 0) return true;
  const channelId = channel?.isThread() ? channel.parentId : channel?.id;
  return config.DISCORD_ALLOWED_CHANNELS.includes(channelId ?? '');
}

/**
 * A person; managers are members with Manage Threads in the channel (they may end any session).
 * Read it synchronously where the event arrives: `user` and `member` are live cache objects that
 * later gateway events patch (message-intake.ts). The name is never null or empty, even when a
 * partial user has nulled the cached names: nickname, global name, username, then the id.
 */
export function personOf(user: User, member: GuildMember | null, channel: GuildBasedChannel | null, permissions?: bigint, community: CommunityRoles = {}): Person {
  let granted = permissions;
  if (granted === undefined && member && channel) granted = channel.permissionsFor(member)?.bitfield;
  const isManager = granted !== undefined && (granted & PermissionFlagsBits.ManageThreads) !== 0n;
  const roles = community.roles ?? (member ? [...member.roles.cache.keys()] : []);
  // The community's panels and settings: Manage Server (Administrator implies it), or the configured role.
  const managesCommunity =
    (granted !== undefined && (granted & (PermissionFlagsBits.ManageGuild | PermissionFlagsBits.Administrator)) !== 0n) ||
    (community.managerRole !== undefined && roles.includes(community.managerRole));
  return {
    id: user.id,
    displayName: firstName(member?.nickname, user.globalName, user.username) ?? `user ${user.id}`,
    isManager,
    ...(managesCommunity ? { managesCommunity } : {}),
    ...(roles.length ? { roles: roles.slice(0, 50) } : {}),
  };
}

/** The roles a person holds (an interaction's member lists them) and COMMUNITY_MANAGER_ROLE. */
export interface CommunityRoles {
  roles?: string[];
  managerRole?: string;
}

/** The role ids of an interaction's member (a cached GuildMember, or the API's raw member). */
export function interactionRoles(member: { roles: unknown } | null): string[] | undefined {
  const roles = member?.roles;
  if (Array.isArray(roles)) return roles.filter((role): role is string => typeof role === 'string');
  if (roles && typeof roles === 'object' && 'cache' in roles) return [...(roles as { cache: Map<string, unknown> }).cache.keys()];
  return undefined;
}

/** The first usable name (a string with something other than whitespace). */
export function firstName(...names: (string | null | undefined)[]): string | undefined {
  return names.find((name): name is string => typeof name === 'string' && name.trim() !== '');
}

export function imageReferences(attachments: Collection<string, Attachment>): ImageReference[] {
  return [...attachments.values()]
    .filter((attachment) => attachment.contentType?.startsWith('image/') || (!attachment.contentType && imageExtension.test(attachment.name)))
    .map((attachment) => ({
      kind: 'url' as const,
      location: attachment.url,
      filename: attachment.name,
      size: attachment.size,
      ...(attachment.contentType ? { contentType: attachment.contentType } : {}),
    }));
}

/**
 * Opens the public thread of a session on a message; returns the thread id. Idempotent: when the
 * message has its thread already (a redelivered mention whose start failed after the thread was
 * opened), that thread is the one — Discord gives a thread opened on a message the message's id.
 */
export async function openSessionThread(rest: REST, parentId: string, messageId: string, topic: string): Promise<string> {
  try {
    const thread = (await rest.post(Routes.threads(parentId, messageId), {
      body: { name: threadNameFromTopic(topic), auto_archive_duration: 1440 },
      reason: 'TableRound session',
    })) as APIChannel;
    return thread.id;
  } catch (error) {
    if (isDiscordError(error, DiscordErrorCode.ThreadAlreadyCreated)) return messageId;
    throw error;
  }
}
