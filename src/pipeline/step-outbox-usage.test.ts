/**
 * The token use a payload save carries (a persona's answer: one command for the save and the
 * session's count), and the held use of an answer that is never saved, written on its own.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { StepOutbox, StepSupersededError } from './step-outbox.ts';
import { testOutbox } from '../../test/harness/test-outbox.ts';
import { deleteKeys, testRedis, uniqueName } from '../../test/harness/redis.ts';
import { RedisKeys } from '../store/keys.ts';
import { SessionStore } from '../store/session-store.ts';
import { callAccounting, releaseHeldUsage, settleUsage, type StepContext } from '../engine/step-context.ts';
import { createLogger } from '../logging/logger.ts';

const redis = testRedis();
const prefix = uniqueName('outbox-usage');
const keys = new RedisKeys(prefix);
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

const carried = [
  { promptTokens: 120, completionTokens: 30, by: { who: 'ada', model: 'gpt-x' } },
  { promptTokens: 80, completionTokens: 20, by: { who: 'ada', model: 'gpt-x' } },
];

describe('a payload save that carries token use', () => {
  it('counts it in the session’s totals and per speaker and model, with the payload saved', async () => {
    const sessionId = 'terminal:c:carried';
    const { outbox, reload } = await testOutbox(redis, prefix, sessionId);
    await outbox.savePayload('turn', 'An answer.', carried);
    expect((await reload()).payload('turn')).toBe('An answer.');
    expect(await redis.hmget(keys.session('meta', sessionId), 'tokensPrompt', 'tokensCompletion', 'modelCalls')).toEqual(['200', '50', '2']);
    const notes = await redis.hgetall(keys.session('notes', sessionId));
    expect(notes).toMatchObject({ 'usage|ada|gpt-x|prompt': '200', 'usage|ada|gpt-x|completion': '50', 'usage|ada|gpt-x|calls': '2' });
    expect(await redis.pttl(keys.session('notes', sessionId))).toBeGreaterThan(0);
  });

  it('counts it even when the fence refuses the save (the step was committed by another runner): spent tokens are spent', async () => {
    const sessionId = 'terminal:c:refused';
    const { outbox } = await testOutbox(redis, prefix, sessionId);
    await redis.hset(keys.session('meta', sessionId), 'seq', '1');
    await expect(outbox.savePayload('turn', 'An answer.', carried.slice(0, 1))).rejects.toBeInstanceOf(StepSupersededError);
    expect(await redis.hget(keys.session('meta', sessionId), 'tokensPrompt')).toBe('120');
    expect(await redis.hget(keys.session('outbox', sessionId), '0|turn|payload')).toBeNull();
  });

  it('never re-creates a session that has expired', async () => {
    const sessionId = 'terminal:c:expired';
    const location = { redis, outboxKey: keys.session('outbox', sessionId), metaKey: keys.session('meta', sessionId), notesKey: keys.session('notes', sessionId), ttlMs: 600_000 };
    await expect(new StepOutbox(location, 0, {}).savePayload('turn', 'An answer.', carried)).rejects.toBeInstanceOf(StepSupersededError);
    expect(await redis.exists(location.metaKey, location.notesKey, location.outboxKey)).toBe(0);
  });
});

describe('token use held for a payload save', () => {
  it('is not written when the call reports it, and is written on its own when released (an answer never saved)', async () => {
    const sessionId = 'terminal:c:held';
    const store = new SessionStore(redis, keys, 1);
    await redis.hset(keys.session('meta', sessionId), 'seq', '0');
    await redis.pexpire(keys.session('meta', sessionId), 600_000);
    const context = { sessionId, meta: { starter: { id: 'person-held' } }, logger: createLogger('silent'), deps: { store } } as unknown as StepContext;
    await callAccounting(context, 'ada', { hold: true }).onUsage!({ promptTokens: 40, completionTokens: 10 }, 'gpt-x');
    expect(context.heldUsage).toHaveLength(1);
    expect(await redis.hget(keys.session('meta', sessionId), 'tokensPrompt')).toBeNull();

    releaseHeldUsage(context);
    await settleUsage(context);
    expect(context.heldUsage).toBeUndefined();
    expect(await redis.hmget(keys.session('meta', sessionId), 'tokensPrompt', 'modelCalls')).toEqual(['40', '1']);
    expect(await redis.hget(keys.session('notes', sessionId), 'usage|ada|gpt-x|calls')).toBe('1');
    expect(await store.userSpend('terminal', 'person-held')).toBe(50);
  });
});
