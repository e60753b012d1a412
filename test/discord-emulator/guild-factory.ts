/**
 * Guilds as the bot finds them after its invite: `@everyone`, the bot's role with the invite
 * permissions, a Moderators role (Manage Threads), and the owner and the bot as members. Ids can
 * be chosen to fall on a given gateway shard (shard-routing.ts).
 */
import { nextSnowflake } from './snowflake.ts';
import { defaultEveryonePermissions, Permission, permissionBits, type PermissionName } from './permissions.ts';
import { shardOfGuild } from './shard-routing.ts';
import type { EmulatorState, GuildRecord, UserRecord } from './emulator-state.ts';

/** What the bot is granted by its role in every guild (the invite permissions). */
export const botPermissionNames: PermissionName[] = [
  'ViewChannel',
  'SendMessages',
  'SendMessagesInThreads',
  'CreatePublicThreads',
  'ManageThreads',
  'ManageWebhooks',
  'AttachFiles',
  'EmbedLinks',
  'ReadMessageHistory',
];

/** The name of the role whose members may manage threads and messages (`addMember(…, { manager: true })`). */
export const managerRoleName = 'Moderators';

/** Adds a guild to the world; the caller announces it (GUILD_CREATE) if the bot is connected. */
export function createGuild(state: EmulatorState, input: { id: string; name: string; owner: UserRecord }): GuildRecord {
  const botRoleId = nextSnowflake();
  const managerRoleId = nextSnowflake();
  const joinedAt = new Date().toISOString();
  const guild: GuildRecord = {
    id: input.id,
    name: input.name,
    ownerId: input.owner.id,
    roles: [
      { id: input.id, name: '@everyone', permissions: defaultEveryonePermissions, position: 0 },
      { id: botRoleId, name: state.botUser.username, permissions: permissionBits(...botPermissionNames), position: 2 },
      { id: managerRoleId, name: managerRoleName, permissions: Permission.ManageThreads | Permission.ManageMessages, position: 1 },
    ],
    members: new Map([
      [input.owner.id, { userId: input.owner.id, roleIds: [], nick: null, joinedAt }],
      [state.botUser.id, { userId: state.botUser.id, roleIds: [botRoleId], nick: null, joinedAt }],
    ]),
  };
  state.guilds.set(guild.id, guild);
  return guild;
}

/** The id of the guild's Moderators role. */
export function managerRoleOf(guild: GuildRecord): string {
  const role = guild.roles.find((candidate) => candidate.name === managerRoleName);
  if (!role) throw new Error(`guild ${guild.id} has no ${managerRoleName} role`);
  return role.id;
}

/**
 * A fresh snowflake whose guild shard (`(id >> 22) % shardCount`) is `shardId`: the timestamp bits
 * decide, so the clock is stepped a millisecond at a time until they fit.
 */
export function guildIdOnShard(shardId: number, shardCount: number, now = Date.now()): string {
  if (!Number.isInteger(shardId) || shardId < 0 || shardId >= shardCount) throw new Error(`no shard ${shardId} of ${shardCount}`);
  for (let offset = 0; ; offset++) {
    const id = nextSnowflake(now + offset);
    if (shardOfGuild(id, shardCount) === shardId) return id;
  }
}
