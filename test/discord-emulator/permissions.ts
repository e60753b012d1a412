/**
 * Permission bits (Discord's documented values) and the computation Discord performs:
 * @everyone role, then member roles, then channel overwrites (@everyone, roles, member).
 * Threads use their parent channel's overwrites.
 */
export const Permission = {
  CreateInstantInvite: 1n << 0n,
  Administrator: 1n << 3n,
  ManageChannels: 1n << 4n,
  AddReactions: 1n << 6n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ManageMessages: 1n << 13n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  MentionEveryone: 1n << 17n,
  UseExternalEmojis: 1n << 18n,
  ManageRoles: 1n << 28n,
  ManageWebhooks: 1n << 29n,
  UseApplicationCommands: 1n << 31n,
  ManageThreads: 1n << 34n,
  CreatePublicThreads: 1n << 35n,
  CreatePrivateThreads: 1n << 36n,
  SendMessagesInThreads: 1n << 38n,
} as const;

export type PermissionName = keyof typeof Permission;

export function permissionBits(...names: PermissionName[]): bigint {
  return names.reduce((bits, name) => bits | Permission[name], 0n);
}

export const allPermissions = (1n << 50n) - 1n;

/** What a plain member may do in a fresh server (roughly Discord's default @everyone). */
export const defaultEveryonePermissions = permissionBits(
  'CreateInstantInvite',
  'AddReactions',
  'ViewChannel',
  'SendMessages',
  'EmbedLinks',
  'AttachFiles',
  'ReadMessageHistory',
  'UseExternalEmojis',
  'UseApplicationCommands',
  'CreatePublicThreads',
  'CreatePrivateThreads',
  'SendMessagesInThreads',
);

export interface PermissionOverwrite {
  id: string;
  /** 0 = role, 1 = member. */
  type: 0 | 1;
  allow: bigint;
  deny: bigint;
}

export interface RoleRecord {
  id: string;
  name: string;
  permissions: bigint;
  position: number;
}

export function computePermissions(input: {
  guildId: string;
  ownerId: string;
  userId: string;
  memberRoleIds: readonly string[];
  roles: readonly RoleRecord[];
  overwrites: readonly PermissionOverwrite[];
}): bigint {
  if (input.userId === input.ownerId) return allPermissions;
  const everyone = input.roles.find((role) => role.id === input.guildId);
  let base = everyone?.permissions ?? 0n;
  for (const role of input.roles) if (input.memberRoleIds.includes(role.id)) base |= role.permissions;
  if ((base & Permission.Administrator) !== 0n) return allPermissions;
  let permissions = base;
  const everyoneOverwrite = input.overwrites.find((overwrite) => overwrite.id === input.guildId);
  if (everyoneOverwrite) permissions = (permissions & ~everyoneOverwrite.deny) | everyoneOverwrite.allow;
  let allow = 0n;
  let deny = 0n;
  for (const overwrite of input.overwrites) {
    if (overwrite.type === 0 && input.memberRoleIds.includes(overwrite.id)) {
      allow |= overwrite.allow;
      deny |= overwrite.deny;
    }
  }
  permissions = (permissions & ~deny) | allow;
  const memberOverwrite = input.overwrites.find((overwrite) => overwrite.type === 1 && overwrite.id === input.userId);
  if (memberOverwrite) permissions = (permissions & ~memberOverwrite.deny) | memberOverwrite.allow;
  return permissions;
}
