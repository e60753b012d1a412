/**
 * A step's commit sends its meta fields and transcript entries as plain script arguments (not
 * inside a JSON payload): what any text holds — quotes, backslashes, newlines, astral characters,
 * something that looks like JSON — is stored exactly, next to the rarer writes still sent as JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { deleteKeys, testRedis, uniqueName } from '../harness/redis.ts';
import { SessionStore } from '../../src/store/session-store.ts';
import { RedisKeys } from '../../src/store/keys.ts';
import type { SessionMeta, TranscriptEntry } from '../../src/session/session-types.ts';

const prefix = uniqueName('commit-args-');
let redis: Redis;

beforeAll(() => {
  redis = testRedis();
});

afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

const awkward = 'He said "no" \\ then {"kind":"closing"}\n— 好的 👍🏽 \u0000end';

describe('a step commit', () => {
  it('stores meta fields and transcript entries with any text exactly, and applies the rarer writes beside them', async () => {
    const store = new SessionStore(redis, new RedisKeys(prefix), 1);
    const sessionId = 'terminal:c:awkward';
    const now = Date.now();
    const meta: SessionMeta = {
      sessionId, topic: 'Lamps', panelId: 'default', stage: 'discussion', round: 1, autoRounds: 1, status: 'active', starter: { id: 'u', displayName: 'Ana' }, createdAt: now, updatedAt: now,
      seq: 3, epoch: 0, revivals: 0, agenda: [], roleMap: {}, rollingSummary: '', summarisedThrough: 0, replyCursor: 0, votedKeywords: [], pollCount: 0,
      tokensPrompt: 0, tokensCompletion: 0, modelCalls: 0,
    };
    await store.create(meta);
    const entries: TranscriptEntry[] = [
      { kind: 'persona', speakerId: 'p1', speakerName: 'Bayar "B"', text: awkward, at: 1, stage: 'discussion', round: 1 },
      { kind: 'person', speakerId: 'u', speakerName: 'Ana', text: '', at: 2, stage: 'discussion', round: 1 },
    ];
    const agenda = [{ kind: 'notice' as const, text: awkward }];
    const next = await store.commit(sessionId, 3, { meta: { rollingSummary: awkward, agenda, round: 2 }, transcript: entries, notes: { p1: awkward } });
    expect(next).toEqual({ seq: 4, inboxLength: 0 });

    const stored = await store.load(sessionId);
    expect(stored).toMatchObject({ rollingSummary: awkward, agenda, round: 2, seq: 4, topic: 'Lamps' });
    expect(await store.transcript(sessionId)).toEqual(entries);
    expect(await store.notes(sessionId)).toEqual({ p1: awkward });

    // A stale commit changes nothing.
    expect(await store.commit(sessionId, 3, { meta: { rollingSummary: 'late' }, transcript: entries })).toBeUndefined();
    expect((await store.load(sessionId))?.rollingSummary).toBe(awkward);
    expect(await store.transcript(sessionId)).toHaveLength(2);
  });
});
