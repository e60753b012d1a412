/**
 * A step outbox on real Redis for adapter tests: a session meta hash holding `seq` (so the
 * outbox's fenced writes pass) and `reload()`, which reads the outbox back as a re-run of the
 * step in a new process would after a crash.
 */
import type { RedisClient } from '../../src/store/redis-connection.ts';
import { RedisKeys } from '../../src/store/keys.ts';
import { StepOutbox } from '../../src/pipeline/step-outbox.ts';

export interface TestOutbox {
  outbox: StepOutbox;
  /** A fresh outbox of the same step, loaded from Redis (what a re-run sees). */
  reload(): Promise<StepOutbox>;
}

export async function testOutbox(redis: RedisClient, prefix: string, sessionId: string, seq = 0): Promise<TestOutbox> {
  const keys = new RedisKeys(prefix);
  const metaKey = keys.session('meta', sessionId);
  const outboxKey = keys.session('outbox', sessionId);
  await redis.hset(metaKey, 'seq', String(seq));
  await redis.pexpire(metaKey, 600_000);
  const location = { redis, outboxKey, metaKey, notesKey: keys.session('notes', sessionId), ttlMs: 600_000 };
  return {
    outbox: new StepOutbox(location, seq, {}),
    reload: async () => new StepOutbox(location, seq, await redis.hgetall(outboxKey)),
  };
}
