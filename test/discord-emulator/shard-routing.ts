/**
 * Which gateway connection receives which dispatch, as Discord documents for sharding
 * (discord-api-docs, Gateway › Sharding): a connection that identified with `shard: [id, count]`
 * gets the events of the guilds with `(guild_id >> 22) % count === id`, and DMs only when its id
 * is 0; a connection that sent no `shard` gets everything. Each connection is judged by its own
 * pair, as Discord does — processes that disagree on the count see some guilds twice and others
 * never, which is why every gateway process must be given the same DISCORD_SHARD_COUNT.
 */
import type { JsonObject } from './emulator-state.ts';

/** What IDENTIFY's `shard` field carries: this connection's id and the total number of shards. */
export type ShardKey = readonly [shardId: number, shardCount: number];

/** The shard of a guild: the snowflake's timestamp bits modulo the count (BigInt: ids exceed 2^53). */
export function shardOfGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** Whether a connection identified with `shard` receives an event of `guildId` (undefined: a DM or an event of no guild). */
export function shardReceives(shard: ShardKey | undefined, guildId: string | undefined): boolean {
  if (!shard) return true;
  const [shardId, shardCount] = shard;
  if (guildId === undefined) return shardId === 0;
  return shardOfGuild(guildId, shardCount) === shardId;
}

/** IDENTIFY's `shard` as Discord accepts it (`[id, count]`, 0 ≤ id < count), `undefined` when absent, `'invalid'` otherwise. */
export function parseShardKey(value: unknown): ShardKey | undefined | 'invalid' {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length !== 2) return 'invalid';
  const [shardId, shardCount] = value as unknown[];
  if (!Number.isInteger(shardId) || !Number.isInteger(shardCount)) return 'invalid';
  const id = shardId as number;
  const count = shardCount as number;
  return id >= 0 && count >= 1 && id < count ? [id, count] : 'invalid';
}

const guildEvents = new Set(['GUILD_CREATE', 'GUILD_UPDATE', 'GUILD_DELETE']);
const channelEvents = /^(CHANNEL|THREAD)_/;

/**
 * The guild a dispatch belongs to: its `guild_id`; a guild event's own `id`; else the guild of the
 * channel it names (`channel_id`, or the `id` of a channel or thread event — the emulator's
 * THREAD_UPDATE carries only the id). `undefined` for DMs and events of no guild.
 */
export function guildOfDispatch(event: string, data: JsonObject, guildOfChannel: (channelId: string) => string | undefined): string | undefined {
  if (typeof data.guild_id === 'string') return data.guild_id;
  if (guildEvents.has(event) && typeof data.id === 'string') return data.id;
  if (typeof data.channel_id === 'string') return guildOfChannel(data.channel_id);
  if (channelEvents.test(event) && typeof data.id === 'string') return guildOfChannel(data.id);
  return undefined;
}
