/**
 * Store hygiene, as `redis-cli --scan` would check it: every key under the prefix has a TTL, or
 * is one of the few keys that are bounded by construction — the pending-work index (pruned by the
 * sweeper), Slack installations (one per workspace, until it removes the app) and BullMQ's own
 * structures (jobs retained by count and age, events stream trimmed).
 */
import { expect } from 'vitest';
import { Cluster } from 'ioredis';
import type { RedisClient } from '../../src/store/redis-connection.ts';

const bullStructures = /^(meta|events|id|wait|active|paused|prioritized|delayed|completed|failed|marker|stalled|limiter|pc|de|waiting-children|repeat)$/;

/** Keys without a TTL that are not known to be bounded (on a cluster: on every master). */
export async function unboundedKeys(client: RedisClient, prefix: string): Promise<string[]> {
  if (client instanceof Cluster) return (await Promise.all(client.nodes('master').map((node) => unboundedKeys(node, prefix)))).flat();
  const redis = client;
  const offenders: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      // -1: no TTL. (-2: expired between the scan and now; a TTL: fine.)
      if ((await redis.pttl(key)) !== -1) continue;
      const rest = key.slice(prefix.length + 1);
      if (rest === 'pending') continue;
      // Configuration, kept until changed or removed: Slack installations (bounded by the workspaces).
      if (rest.startsWith('slack-install:')) continue;
      const bull = /^\{bull\}:[^:]+:(.+)$/.exec(rest);
      if (bull?.[1] && (bullStructures.test(bull[1]) || /^step__[^:]+(:logs)?$/.test(bull[1]))) continue;
      offenders.push(key);
    }
  } while (cursor !== '0');
  return offenders;
}

export async function assertKeysBounded(redis: RedisClient, prefix: string): Promise<void> {
  const offenders = await unboundedKeys(redis, prefix);
  if (offenders.length) console.error(`keys with neither a TTL nor a bound: ${offenders.join(', ')}`);
  expect(offenders, 'keys with neither a TTL nor a bound').toEqual([]);
}
