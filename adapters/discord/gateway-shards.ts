/**
 * This gateway process's Discord shards, through discord.js's own options: `shards` (the ids this
 * process connects) and `shardCount` (the total over every gateway process). Discord sends each
 * connection the events of the guilds with `(guild_id >> 22) % shardCount === id`, DMs to shard 0.
 *
 * - DISCORD_SHARD_COUNT unset: no options — discord.js's default, one connection `[0, 1]`, as before.
 * - a number: `shards` = DISCORD_SHARD_IDS, or every id below the count when unset.
 * - `auto` without ids: `shards: 'auto'` — discord.js asks `GET /gateway/bot` and runs all of the
 *   recommended count. `auto` with ids: the count is asked of `GET /gateway/bot` here (given only
 *   ids, discord.js would take the highest id + 1 as the total).
 *
 * The options are set on `client.options` just before login (discord.js reads them when it
 * connects), so only processes that open the gateway have shards; workers post through REST and
 * never learn one.
 *
 * Hazard: each connection declares its own count and Discord routes by it — gateway processes
 * with different counts see some guilds twice and others never. Give every gateway process the
 * same number; `auto` with ids asks Discord at each start, and its answer grows with the bot.
 * Hazard: with no options given, discord.js's Client takes SHARDS / SHARD_COUNT from the
 * environment (its ShardingManager's contract); TableRound never sets them.
 */
import { Events, Routes, Status, type Client, type ClientOptions, type REST, type RESTGetAPIGatewayBotResult } from 'discord.js';
import { shardIdsFrom, type Config } from '../../src/config/config-schema.ts';
import { TableRoundError } from '../../src/errors.ts';
import type { Logger } from '../../src/logging/logger.ts';

export type GatewayShardOptions = Pick<ClientOptions, 'shards' | 'shardCount'>;
export type ShardSettings = Pick<Config, 'DISCORD_SHARD_COUNT' | 'DISCORD_SHARD_IDS'>;

/** Whether the total must be asked of Discord before connecting (`auto` with ids). */
export function needsRecommendedShardCount(settings: ShardSettings): boolean {
  return settings.DISCORD_SHARD_COUNT === 'auto' && settings.DISCORD_SHARD_IDS !== undefined;
}

/**
 * discord.js's shard options for these settings. `recommendedCount` is `GET /gateway/bot`'s
 * `shards`, used only for `auto` with ids (see `needsRecommendedShardCount`).
 */
export function gatewayShardOptions(settings: ShardSettings, recommendedCount?: number): GatewayShardOptions {
  const count = settings.DISCORD_SHARD_COUNT;
  if (count === undefined) return {};
  const ids = settings.DISCORD_SHARD_IDS === undefined ? undefined : shardIdsFrom(settings.DISCORD_SHARD_IDS);
  if (count !== 'auto') return { shards: ids ?? Array.from({ length: count }, (_, id) => id), shardCount: count };
  if (ids === undefined) return { shards: 'auto' };
  if (recommendedCount === undefined) throw new TableRoundError('internal', 'DISCORD_SHARD_COUNT=auto with DISCORD_SHARD_IDS needs the recommended shard count from GET /gateway/bot');
  const tooHigh = ids.find((id) => id >= recommendedCount);
  if (tooHigh !== undefined) {
    throw new TableRoundError('config_invalid', `DISCORD_SHARD_IDS: shard ${tooHigh} is not below ${recommendedCount}, the shard count Discord recommends (DISCORD_SHARD_COUNT=auto); ids run from 0`);
  }
  return { shards: ids, shardCount: recommendedCount };
}

/** `gatewayShardOptions`, asking `GET /gateway/bot` for the count first when the settings need it. */
export async function resolveGatewayShardOptions(settings: ShardSettings, rest: REST): Promise<GatewayShardOptions> {
  if (!needsRecommendedShardCount(settings)) return gatewayShardOptions(settings);
  const gateway = (await rest.get(Routes.gatewayBot())) as RESTGetAPIGatewayBotResult;
  return gatewayShardOptions(settings, gateway.shards);
}

/**
 * Connected: discord.js is ready and every shard of this process is ready — none connecting,
 * resuming, waiting for its guilds or given up. (discord.js's `isReady()` stays true once the
 * first READY came, whatever happens to the shards afterwards.)
 */
export function allShardsReady(client: Client): boolean {
  const shards = client.ws.shards;
  return client.isReady() && shards.size > 0 && shards.every((shard) => shard.status === Status.Ready);
}

/** The shard ids this process runs and their total, for logs (before login: as configured). */
export function describeShards(client: Client): { shards: readonly number[] | 'auto'; shardCount: number | 'auto' } {
  const { shards, shardCount } = client.options;
  if (shards === 'auto') return { shards: 'auto', shardCount: 'auto' };
  return { shards: typeof shards === 'number' ? [shards] : (shards ?? [0]), shardCount: shardCount ?? 1 };
}

/** Logs each shard's ready, resume, reconnect, disconnect and error with its id. */
export function logShardEvents(client: Client, logger: Logger): void {
  client.on(Events.ShardReady, (shardId, unavailableGuilds) => logger.info({ shard: shardId, unavailableGuilds: unavailableGuilds?.size ?? 0 }, 'discord: shard ready'));
  client.on(Events.ShardResume, (shardId, replayedEvents) => logger.info({ shard: shardId, replayedEvents }, 'discord: shard resumed'));
  client.on(Events.ShardReconnecting, (shardId) => logger.info({ shard: shardId }, 'discord: shard reconnecting'));
  client.on(Events.ShardDisconnect, (event, shardId) => logger.warn({ code: event.code, shard: shardId }, 'discord: gateway disconnected'));
  client.on(Events.ShardError, (error, shardId) => logger.warn({ err: error, shard: shardId }, 'discord: shard connection error'));
}
