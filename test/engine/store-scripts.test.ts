/**
 * What the session store's step scripts send and read back:
 * - the snapshot's cached transcript window (src/store/window-cache.ts): a snapshot reads only
 *   the entries appended since the last one this process read, and what it returns is the same
 *   as a fresh read — across sessions made again under the same id, folds that move the window's
 *   start, and entries committed by another process;
 * - the commit's meta fields and transcript entries, sent as plain script arguments (not inside
 *   a JSON payload): what any text holds — quotes, backslashes, newlines, astral characters,
 *   something that looks like JSON — is stored exactly, next to the rarer writes still sent as JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { deleteKeys, testRedis, uniqueName } from '../harness/redis.ts';
import { SessionStore } from '../../src/store/session-store.ts';
import { RedisKeys } from '../../src/store/keys.ts';
import { WindowCache } from '../../src/store/window-cache.ts';
import type { SessionMeta, TranscriptEntry } from '../../src/session/session-types.ts';

const prefix = uniqueName('window-cache-');
let redis: Redis;

beforeAll(() => {
  redis = testRedis();
});

afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

function metaOf(sessionId: string, createdAt: number): SessionMeta {
  return {
    sessionId, topic: 'Lamps', panelId: 'default', stage: 'discussion', round: 1, autoRounds: 1, status: 'active', starter: { id: 'u', displayName: 'Ana' }, createdAt, updatedAt: createdAt,
    seq: 0, epoch: 0, revivals: 0, agenda: [], roleMap: {}, rollingSummary: '', summarisedThrough: 0, replyCursor: 0, votedKeywords: [], pollCount: 0,
    tokensPrompt: 0, tokensCompletion: 0, modelCalls: 0,
  };
}

const entry = (text: string): TranscriptEntry => ({ kind: 'persona', speakerId: 'p1', speakerName: 'Bayar', text, at: 1, stage: 'discussion', round: 1 });

/** Counts the transcript entries the snapshot script sent back (the window part of its reply). */
function countWindowReads(store: SessionStore): { entries: number } {
  const counted = { entries: 0 };
  // EVALSHA, or EVAL when the server has not loaded the script yet (redis-script.ts).
  const connection = store.redis as unknown as Record<'evalsha' | 'eval', (...args: unknown[]) => Promise<unknown>>;
  for (const command of ['evalsha', 'eval'] as const) {
    const original = connection[command].bind(connection);
    connection[command] = async (...args: unknown[]) => {
      const reply = await original(...args);
      if (Array.isArray(reply) && reply.length === 10) counted.entries += (reply[6] as unknown[]).length;
      return reply;
    };
  }
  return counted;
}

async function commitEntries(store: SessionStore, sessionId: string, texts: string[], meta: Partial<SessionMeta> = {}): Promise<void> {
  const seq = (await store.load(sessionId))!.seq;
  expect(await store.commit(sessionId, seq, { transcript: texts.map(entry), meta })).toBeDefined();
}

describe('the cached transcript window of a step snapshot', () => {
  it('reads only the entries appended since this process last read the window, and returns the whole window', async () => {
    const store = new SessionStore(testRedis(), new RedisKeys(prefix), 1);
    const reads = countWindowReads(store);
    const sessionId = 'terminal:c:appended';
    await store.create(metaOf(sessionId, Date.now()));
    await commitEntries(store, sessionId, ['one', 'two', 'three']);
    const first = await store.snapshot(sessionId, { windowEntries: 10 });
    expect(first.window.entries.map((e) => e.text)).toEqual(['one', 'two', 'three']);
    expect(reads.entries).toBe(3);

    await commitEntries(store, sessionId, ['four', 'five']);
    const second = await store.snapshot(sessionId, { windowEntries: 10 });
    expect(second.window.entries.map((e) => e.text)).toEqual(['one', 'two', 'three', 'four', 'five']);
    // Only the two new entries crossed the wire; the first three are the ones decoded before.
    expect(reads.entries).toBe(5);
    expect(second.window.entries[0]).toBe(first.window.entries[0]);

    // The same as a store without a cache reads.
    const fresh = await new SessionStore(redis, new RedisKeys(prefix), 1).snapshot(sessionId, { windowEntries: 10 });
    expect(second.window.entries).toEqual(fresh.window.entries);
    store.redis.disconnect();
  });

  it('follows the window’s start when the cap or a fold moves it past cached entries', async () => {
    const store = new SessionStore(testRedis(), new RedisKeys(prefix), 1);
    const sessionId = 'terminal:c:folded';
    await store.create(metaOf(sessionId, Date.now()));
    await commitEntries(store, sessionId, ['a', 'b', 'c', 'd']);
    await store.snapshot(sessionId, { windowEntries: 3 });
    await commitEntries(store, sessionId, ['e']);
    expect((await store.snapshot(sessionId, { windowEntries: 3 })).window.entries.map((e) => e.text)).toEqual(['c', 'd', 'e']);
    // A fold: the rolling summary now covers the first four entries.
    await commitEntries(store, sessionId, ['f'], { summarisedThrough: 4, rollingSummary: 'a to d' });
    expect((await store.snapshot(sessionId, { windowEntries: 10 })).window.entries.map((e) => e.text)).toEqual(['e', 'f']);
    store.redis.disconnect();
  });

  it('sees entries another process committed, and never serves a session made again under the same id from the old one’s entries', async () => {
    const store = new SessionStore(testRedis(), new RedisKeys(prefix), 1);
    const other = new SessionStore(redis, new RedisKeys(prefix), 1);
    const sessionId = 'terminal:c:again';
    const createdAt = Date.now();
    await store.create(metaOf(sessionId, createdAt));
    await commitEntries(store, sessionId, ['old one', 'old two']);
    await store.snapshot(sessionId, { windowEntries: 10 });
    await commitEntries(other, sessionId, ['by the other worker']);
    expect((await store.snapshot(sessionId, { windowEntries: 10 })).window.entries.map((e) => e.text)).toEqual(['old one', 'old two', 'by the other worker']);

    // The session expires and a new one starts in the same thread, with as many entries as before.
    await deleteKeys(redis, `${prefix}:s:{${sessionId}}`);
    await store.create(metaOf(sessionId, createdAt + 1));
    await commitEntries(other, sessionId, ['new one', 'new two', 'new three', 'new four']);
    expect((await store.snapshot(sessionId, { windowEntries: 10 })).window.entries.map((e) => e.text)).toEqual(['new one', 'new two', 'new three', 'new four']);
    store.redis.disconnect();
  });

  it('hands out entries that cannot be changed in place (later steps see the same objects)', async () => {
    const store = new SessionStore(redis, new RedisKeys(prefix), 1);
    const sessionId = 'terminal:c:frozen';
    await store.create(metaOf(sessionId, Date.now()));
    await commitEntries(store, sessionId, ['kept as said']);
    const { window } = await store.snapshot(sessionId, { windowEntries: 10 });
    expect(() => {
      (window.entries[0] as { text: string }).text = 'changed';
    }).toThrow(TypeError);
    expect(() => (window.entries as TranscriptEntry[]).push(entry('more'))).toThrow(TypeError);
  });

  it('keeps the most recently used sessions up to its capacity', () => {
    const cache = new WindowCache(2);
    const window = { createdAt: '1', from: 0, entries: [] };
    cache.set('a', window);
    cache.set('b', window);
    cache.set('a', window);
    cache.set('c', window);
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(window);
  });
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

  it('advances seq and resets revivals whatever meta fields it writes, and writes meta alone or entries alone', async () => {
    const store = new SessionStore(redis, new RedisKeys(prefix), 1);
    const sessionId = 'terminal:c:seq';
    await store.create({ ...metaOf(sessionId, Date.now()), seq: 7, revivals: 2 });
    // A commit whose meta carried seq and revivals of its own (the type forbids it; a whole meta spread in) still moves seq on by one.
    expect(await store.commit(sessionId, 7, { meta: { round: 2, ...({ seq: 7, revivals: 3 } as object) } })).toEqual({ seq: 8, inboxLength: 0 });
    expect(await store.load(sessionId)).toMatchObject({ seq: 8, revivals: 0, round: 2 });
    expect(await store.commit(sessionId, 8, { transcript: [entry('only an entry')] })).toEqual({ seq: 9, inboxLength: 0 });
    expect(await store.load(sessionId)).toMatchObject({ seq: 9, revivals: 0, round: 2 });
    expect(await store.transcript(sessionId)).toHaveLength(1);
  });
});
