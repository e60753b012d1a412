/**
 * Small writes that must carry their key's expiry with them, as single Lua scripts: atomic like
 * the MULTI blocks they replace (never a key without its TTL), but one command each, so the
 * main connection's auto-pipelining batches them with everything else issued in the same turn —
 * a MULTI block is a pipeline of its own and a socket write of its own. Each touches one key.
 */
import type { RedisClient } from './redis-connection.ts';
import { RedisScript } from './redis-script.ts';

// KEYS[1] hash. ARGV: field, value, ttl ms.
export const hsetExpireScript = new RedisScript(`
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
`);

// KEYS[1] sorted set. ARGV: score, member, ttl ms.
export const zaddExpireScript = new RedisScript(`
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
`);

// KEYS[1] counter. ARGV: increment, ttl seconds (set only when the counter has none: a window from the first increment).
export const incrbyExpireOnceScript = new RedisScript(`
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if redis.call('TTL', KEYS[1]) == -1 then redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2])) end
return value
`);

export async function hsetExpire(redis: RedisClient, key: string, field: string, value: string, ttlMs: number): Promise<void> {
  await hsetExpireScript.run(redis, [key], [field, value, ttlMs]);
}

export async function zaddExpire(redis: RedisClient, key: string, score: number, member: string, ttlMs: number): Promise<void> {
  await zaddExpireScript.run(redis, [key], [score, member, ttlMs]);
}

/** INCRBY, and the key's expiry when it has none yet (EXPIRE … NX). Returns the new value. */
export async function incrbyExpireOnce(redis: RedisClient, key: string, by: number, ttlSeconds: number): Promise<number> {
  return (await incrbyExpireOnceScript.run(redis, [key], [by, ttlSeconds])) as number;
}
