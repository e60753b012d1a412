/**
 * The permissions a roundtable needs in a channel, checked before starting, and the one clear
 * message that names what is missing. Write paths that still hit "Missing Permissions" (50013)
 * post the same kind of message once per channel (deduplicated in Redis for ten minutes).
 */
import { PermissionFlagsBits, type GuildBasedChannel, type PermissionsBitField, type Client } from 'discord.js';

export const requiredPermissions = {
  ViewChannel: 'View Channel',
  SendMessages: 'Send Messages',
  ManageWebhooks: 'Manage Webhooks',
  CreatePublicThreads: 'Create Public Threads',
  SendMessagesInThreads: 'Send Messages in Threads',
  AttachFiles: 'Attach Files',
  ReadMessageHistory: 'Read Message History',
} as const satisfies Partial<Record<keyof typeof PermissionFlagsBits, string>>;

export type RequiredPermission = keyof typeof requiredPermissions;

/** The invite permissions bitfield (also Manage Threads, to lock finished threads). */
export const invitePermissions = [...Object.keys(requiredPermissions), 'ManageThreads', 'EmbedLinks'].reduce(
  (bits, name) => bits | PermissionFlagsBits[name as keyof typeof PermissionFlagsBits],
  0n,
);

export function missingPermissions(permissions: Readonly<PermissionsBitField> | null): RequiredPermission[] {
  const names = Object.keys(requiredPermissions) as RequiredPermission[];
  if (!permissions) return [];
  return names.filter((name) => !permissions.has(PermissionFlagsBits[name], true));
}

/** Missing permissions of the bot in a channel (threads are governed by their parent). */
export function botMissingPermissions(client: Client, channel: GuildBasedChannel): RequiredPermission[] {
  const me = client.user;
  if (!me) return [];
  const governing = channel.isThread() ? channel.parent : channel;
  if (!governing) return [];
  return missingPermissions(governing.permissionsFor(me));
}

export function describeMissingPermissions(names: readonly string[], channelId: string): string {
  const list = names.map((name) => `**${requiredPermissions[name as RequiredPermission] ?? name}**`).join(', ');
  return `⚠️ I can't run a roundtable in <#${channelId}>: I'm missing the ${list} permission${names.length === 1 ? '' : 's'} here. Ask a server admin to grant ${names.length === 1 ? 'it' : 'them'} to my role for this channel, then mention me again.`;
}

/** What each failing operation needed, for the reactive message after a 50013. */
export const permissionsForOperation = {
  webhook: ['ManageWebhooks'],
  thread: ['CreatePublicThreads', 'ReadMessageHistory'],
  post: ['SendMessagesInThreads'],
  files: ['AttachFiles'],
} as const satisfies Record<string, readonly RequiredPermission[]>;
