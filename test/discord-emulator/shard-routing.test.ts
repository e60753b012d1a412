import { describe, expect, it } from 'vitest';
import { guildOfDispatch, parseShardKey, shardOfGuild, shardReceives } from './shard-routing.ts';
import { guildIdOnShard } from './guild-factory.ts';

describe('gateway shard routing', () => {
  it('puts a guild on (guild_id >> 22) % count, exactly for ids beyond 2^53', () => {
    // The worked example of serenity's shard_id docs: guild 81384788765712384 on 17 shards → 7.
    expect(shardOfGuild('81384788765712384', 17)).toBe(7);
    expect(shardOfGuild('81384788765712384', 1)).toBe(0);
    // 2^63 - 1: Number() would round it; (2^41 - 1) % 2 = 1.
    expect(shardOfGuild('9223372036854775807', 2)).toBe(1);
  });

  it('sends a guild event to its shard only, DMs to shard 0 only, and everything to a connection without shard', () => {
    const guild = guildIdOnShard(1, 2);
    expect(shardReceives([1, 2], guild)).toBe(true);
    expect(shardReceives([0, 2], guild)).toBe(false);
    expect(shardReceives([0, 1], guild)).toBe(true);
    expect(shardReceives(undefined, guild)).toBe(true);
    expect(shardReceives([0, 2], undefined)).toBe(true);
    expect(shardReceives([1, 2], undefined)).toBe(false);
    expect(shardReceives(undefined, undefined)).toBe(true);
  });

  it('finds the guild of a dispatch from guild_id, a guild event id, or the channel it names', () => {
    const channels = new Map([['500', '42']]);
    const lookup = (channelId: string) => channels.get(channelId);
    expect(guildOfDispatch('MESSAGE_CREATE', { id: '1', guild_id: '7', channel_id: '500' }, lookup)).toBe('7');
    expect(guildOfDispatch('GUILD_CREATE', { id: '7' }, lookup)).toBe('7');
    expect(guildOfDispatch('MESSAGE_UPDATE', { id: '1', channel_id: '500' }, lookup)).toBe('42');
    expect(guildOfDispatch('THREAD_UPDATE', { id: '500' }, lookup)).toBe('42');
    // A DM: no guild_id, a channel that belongs to no guild.
    expect(guildOfDispatch('MESSAGE_CREATE', { id: '1', channel_id: '900' }, lookup)).toBeUndefined();
    expect(guildOfDispatch('MESSAGE_CREATE', { id: '500' }, lookup)).toBeUndefined();
  });

  it('accepts IDENTIFY shard pairs as Discord does', () => {
    expect(parseShardKey(undefined)).toBeUndefined();
    expect(parseShardKey(null)).toBeUndefined();
    expect(parseShardKey([1, 2])).toEqual([1, 2]);
    expect(parseShardKey([0, 1])).toEqual([0, 1]);
    for (const invalid of [[2, 2], [0, 0], [-1, 2], [0.5, 2], ['0', '2'], [0], '0,2']) expect(parseShardKey(invalid)).toBe('invalid');
  });

  it('makes guild ids on each requested shard', () => {
    for (const count of [2, 5]) {
      for (let shard = 0; shard < count; shard++) expect(shardOfGuild(guildIdOnShard(shard, count), count)).toBe(shard);
    }
    expect(() => guildIdOnShard(2, 2)).toThrow(/no shard 2 of 2/);
  });
});
