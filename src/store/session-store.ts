/**
 * Session memory in Redis: meta (hash), transcript (append-only list), per-persona notes,
 * keyword candidates, the poll and its ballots, the ordered inbox, image descriptions and the
 * record of posts already made. Keys come from `RedisKeys`; every write refreshes the session TTL.
 *
 * The step machine changes a session only through `commit`, a Lua script that applies one step's
 * writes atomically and only if the session's `seq` is still the one the step started from — a
 * retried or duplicated step job can never apply its writes twice.
 */
import type { Redis } from 'ioredis';
import type { InboxEvent } from '../adapter/inbound-event.ts';
import type { RedisKeys, SessionKeyType } from './keys.ts';
import { isRedisUnavailable } from './redis-connection.ts';
import { RedisScript } from './redis-script.ts';
import type { Ballot, ImageRecord, KeywordCandidate, PollState, SessionMeta, TranscriptEntry } from '../session/session-types.ts';

const sessionKeyTypes: SessionKeyType[] = ['meta', 'transcript', 'notes', 'candidates', 'poll', 'ballots', 'inbox', 'images', 'posted', 'replay'];

/** A post a step made: platform message ids and what was posted. */
export interface PostedRecord {
  ids: string[];
  payload?: string;
}

/** What one committed step writes. */
export interface StepCommit {
  meta?: Partial<Omit<SessionMeta, 'seq' | 'sessionId' | 'tokensPrompt' | 'tokensCompletion' | 'modelCalls'>>;
  transcript?: TranscriptEntry[];
  notes?: Record<string, string>;
  /** Replaces the candidate pool. */
  candidates?: KeywordCandidate[];
  poll?: PollState | null;
  ballots?: Record<string, Ballot> | null;
  /** How many inbox events this step consumed (from the head). */
  inboxConsumed?: number;
}

const commitScript = new RedisScript(`
local ops = cjson.decode(ARGV[1])
local ttl = tonumber(ARGV[2])
local seq = redis.call('HGET', KEYS[1], 'seq')
if seq == false or tonumber(seq) ~= tonumber(ops.expectSeq) then return -1 end
if ops.meta then
  for field, value in pairs(ops.meta) do redis.call('HSET', KEYS[1], field, value) end
end
if ops.transcript then
  for _, entry in ipairs(ops.transcript) do redis.call('RPUSH', KEYS[2], entry) end
end
if ops.notes then
  for field, value in pairs(ops.notes) do redis.call('HSET', KEYS[3], field, value) end
end
if ops.candidates then
  redis.call('DEL', KEYS[4])
  for _, candidate in ipairs(ops.candidates) do redis.call('RPUSH', KEYS[4], candidate) end
end
if ops.pollDelete then redis.call('DEL', KEYS[5]) end
if ops.poll then redis.call('HSET', KEYS[5], 'state', ops.poll) end
if ops.ballotsDelete then redis.call('DEL', KEYS[6]) end
if ops.ballots then
  for field, value in pairs(ops.ballots) do redis.call('HSET', KEYS[6], field, value) end
end
if ops.inboxConsumed and tonumber(ops.inboxConsumed) > 0 then
  redis.call('LTRIM', KEYS[7], tonumber(ops.inboxConsumed), -1)
end
local next = redis.call('HINCRBY', KEYS[1], 'seq', 1)
-- What the step posted was kept only so that a re-run of it could reuse it: the step is done.
redis.call('DEL', KEYS[10])
for i = 1, 9 do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ttl) end
end
redis.call('ZADD', KEYS[11], ARGV[3], ARGV[4])
return {next, redis.call('LLEN', KEYS[7])}
`);

// Applies a person's ballot only while the named poll is open.
const ballotScript = new RedisScript(`
local raw = redis.call('HGET', KEYS[1], 'state')
if not raw then return 0 end
local poll = cjson.decode(raw)
if poll.status ~= 'open' or poll.pollId ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[4]))
return 1
`);

const metaJsonFields = new Set<keyof SessionMeta>(['starter', 'agenda', 'roleMap', 'votedKeywords']);
const metaNumberFields = new Set<keyof SessionMeta>([
  'round', 'autoRounds', 'createdAt', 'updatedAt', 'seq', 'summarisedThrough', 'replyCursor', 'pollCount', 'tokensPrompt', 'tokensCompletion', 'modelCalls',
]);

function encodeMeta(meta: Partial<SessionMeta>): Record<string, string> {
  const encoded: Record<string, string> = {};
  for (const [field, value] of Object.entries(meta)) {
    if (value === undefined) continue;
    encoded[field] = metaJsonFields.has(field as keyof SessionMeta) ? JSON.stringify(value) : String(value);
  }
  return encoded;
}

function decodeMeta(hash: Record<string, string>): SessionMeta {
  const decoded: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(hash)) {
    if (metaJsonFields.has(field as keyof SessionMeta)) decoded[field] = JSON.parse(value);
    else if (metaNumberFields.has(field as keyof SessionMeta)) decoded[field] = Number(value);
    else decoded[field] = value;
  }
  return decoded as unknown as SessionMeta;
}

export class SessionStore {
  readonly ttlMs: number;

  constructor(
    readonly redis: Redis,
    readonly keys: RedisKeys,
    ttlHours: number,
  ) {
    this.ttlMs = Math.round(ttlHours * 3_600_000);
  }

  private key(type: SessionKeyType, sessionId: string): string {
    return this.keys.session(type, sessionId);
  }

  private allKeys(sessionId: string): string[] {
    return sessionKeyTypes.map((type) => this.key(type, sessionId));
  }

  /** Creates the session; false when one already exists for this id. */
  async create(meta: SessionMeta): Promise<boolean> {
    const metaKey = this.key('meta', meta.sessionId);
    const created = await this.redis.hsetnx(metaKey, 'sessionId', meta.sessionId);
    if (!created) return false;
    await this.redis
      .multi()
      .hset(metaKey, encodeMeta(meta))
      .pexpire(metaKey, this.ttlMs)
      .zadd(this.keys.activeSessions(), meta.createdAt, meta.sessionId)
      .exec();
    return true;
  }

  /**
   * What a step reads first, in one round trip: meta, inbox, poll and transcript length.
   */
  async snapshot(sessionId: string): Promise<{ meta: SessionMeta | undefined; inbox: InboxEvent[]; poll: PollState | undefined; transcriptLength: number }> {
    const results = await this.redis
      .pipeline()
      .hgetall(this.key('meta', sessionId))
      .lrange(this.key('inbox', sessionId), 0, -1)
      .hget(this.key('poll', sessionId), 'state')
      .llen(this.key('transcript', sessionId))
      .exec();
    const value = <T>(index: number): T => {
      const [error, result] = results?.[index] ?? [new Error('no pipeline result'), undefined];
      if (error) throw error;
      return result as T;
    };
    const hash = value<Record<string, string>>(0);
    const pollRaw = value<string | null>(2);
    return {
      meta: hash.seq ? decodeMeta(hash) : undefined,
      inbox: value<string[]>(1).map((raw) => JSON.parse(raw) as InboxEvent),
      poll: pollRaw ? (JSON.parse(pollRaw) as PollState) : undefined,
      transcriptLength: value<number>(3),
    };
  }

  async load(sessionId: string): Promise<SessionMeta | undefined> {
    const hash = await this.redis.hgetall(this.key('meta', sessionId));
    if (!hash.seq) return undefined;
    return decodeMeta(hash);
  }

  async transcript(sessionId: string, start = 0, end = -1): Promise<TranscriptEntry[]> {
    const raw = await this.redis.lrange(this.key('transcript', sessionId), start, end);
    return raw.map((entry) => JSON.parse(entry) as TranscriptEntry);
  }

  async transcriptLength(sessionId: string): Promise<number> {
    return this.redis.llen(this.key('transcript', sessionId));
  }

  async notes(sessionId: string): Promise<Record<string, string>> {
    return this.redis.hgetall(this.key('notes', sessionId));
  }

  async candidates(sessionId: string): Promise<KeywordCandidate[]> {
    const raw = await this.redis.lrange(this.key('candidates', sessionId), 0, -1);
    return raw.map((entry) => JSON.parse(entry) as KeywordCandidate);
  }

  async poll(sessionId: string): Promise<PollState | undefined> {
    const raw = await this.redis.hget(this.key('poll', sessionId), 'state');
    return raw ? (JSON.parse(raw) as PollState) : undefined;
  }

  async ballots(sessionId: string): Promise<Record<string, Ballot>> {
    const hash = await this.redis.hgetall(this.key('ballots', sessionId));
    return Object.fromEntries(Object.entries(hash).map(([voter, raw]) => [voter, JSON.parse(raw) as Ballot]));
  }

  /** A person's ballot, applied at once; false when that poll is not open (any more). */
  async castBallot(sessionId: string, pollId: string, voterId: string, ballot: Ballot): Promise<boolean> {
    const applied = await ballotScript.run(this.redis, [this.key('poll', sessionId), this.key('ballots', sessionId)], [pollId, voterId, JSON.stringify(ballot), this.ttlMs]);
    return applied === 1;
  }

  /** Appends an event to the ordered inbox. Returns false for an event id seen before. */
  async pushInbox(sessionId: string, event: InboxEvent): Promise<boolean> {
    const seenKey = this.keys.inboundSeen('inbox', `${sessionId}:${event.eventId}`);
    const fresh = await this.redis.set(seenKey, '1', 'PX', this.ttlMs, 'NX');
    if (fresh !== 'OK') return false;
    const inboxKey = this.key('inbox', sessionId);
    await this.redis.multi().rpush(inboxKey, JSON.stringify(event)).pexpire(inboxKey, this.ttlMs).exec();
    await this.touch(sessionId);
    return true;
  }

  async inbox(sessionId: string): Promise<InboxEvent[]> {
    const raw = await this.redis.lrange(this.key('inbox', sessionId), 0, -1);
    return raw.map((entry) => JSON.parse(entry) as InboxEvent);
  }

  /**
   * Steps planned and events waiting, read atomically (MULTI): read separately, a commit in
   * between (which moves events from the inbox into the agenda) could make a busy session look idle.
   */
  async pendingWork(sessionId: string): Promise<{ steps: number; events: number; exists: boolean }> {
    const results = await this.redis.multi().hget(this.key('meta', sessionId), 'agenda').llen(this.key('inbox', sessionId)).exec();
    const agenda = results?.[0]?.[1] as string | null | undefined;
    const events = Number(results?.[1]?.[1] ?? 0);
    return { steps: agenda ? (JSON.parse(agenda) as unknown[]).length : 0, events, exists: agenda !== null && agenda !== undefined };
  }

  async inboxLength(sessionId: string): Promise<number> {
    return this.redis.llen(this.key('inbox', sessionId));
  }

  /**
   * Applies one step's writes atomically if `seq` still equals `expectSeq`. Returns the new seq
   * and the inbox length after the commit (read inside the same script), or undefined when the
   * step was stale (already committed elsewhere).
   */
  async commit(sessionId: string, expectSeq: number, commit: StepCommit): Promise<{ seq: number; inboxLength: number } | undefined> {
    const ops: Record<string, unknown> = { expectSeq };
    if (commit.meta) ops.meta = encodeMeta({ ...commit.meta, updatedAt: Date.now() });
    else ops.meta = encodeMeta({ updatedAt: Date.now() });
    if (commit.transcript?.length) ops.transcript = commit.transcript.map((entry) => JSON.stringify(entry));
    if (commit.notes && Object.keys(commit.notes).length) ops.notes = commit.notes;
    if (commit.candidates) ops.candidates = commit.candidates.map((candidate) => JSON.stringify(candidate));
    if (commit.poll === null) ops.pollDelete = true;
    else if (commit.poll) ops.poll = JSON.stringify(commit.poll);
    if (commit.ballots === null) ops.ballotsDelete = true;
    else if (commit.ballots && Object.keys(commit.ballots).length) {
      ops.ballots = Object.fromEntries(Object.entries(commit.ballots).map(([voter, ballot]) => [voter, JSON.stringify(ballot)]));
    }
    if (commit.inboxConsumed) ops.inboxConsumed = commit.inboxConsumed;
    const keys = [...this.allKeys(sessionId), this.keys.activeSessions()];
    // cjson encodes an empty Lua table as {} — only send non-empty tables.
    const result = (await commitScript.run(this.redis, keys, [JSON.stringify(ops), this.ttlMs, Date.now(), sessionId])) as number | [number, number];
    return Array.isArray(result) ? { seq: result[0], inboxLength: result[1] } : undefined;
  }

  /**
   * Token use is recorded as it happens (not step-guarded): spent tokens are spent. The session's
   * starter is charged too, in a per-person counter that expires a day after its first charge.
   */
  async addUsage(sessionId: string, promptTokens: number, completionTokens: number, starter?: { platform: string; personId: string }): Promise<void> {
    const transaction = this.redis
      .multi()
      .hincrby(this.key('meta', sessionId), 'tokensPrompt', promptTokens)
      .hincrby(this.key('meta', sessionId), 'tokensCompletion', completionTokens)
      .hincrby(this.key('meta', sessionId), 'modelCalls', 1);
    if (starter) {
      const spendKey = this.keys.userSpend(starter.platform, starter.personId);
      transaction.incrby(spendKey, promptTokens + completionTokens).expire(spendKey, 86_400, 'NX');
    }
    await transaction.exec();
  }

  /** Tokens the person's sessions spent in the current day window. */
  async userSpend(platform: string, personId: string): Promise<number> {
    return Number((await this.redis.get(this.keys.userSpend(platform, personId))) ?? 0);
  }

  async image(sessionId: string, hash: string): Promise<ImageRecord | undefined> {
    const raw = await this.redis.hget(this.key('images', sessionId), hash);
    return raw ? (JSON.parse(raw) as ImageRecord) : undefined;
  }

  async images(sessionId: string): Promise<ImageRecord[]> {
    const hash = await this.redis.hgetall(this.key('images', sessionId));
    return Object.values(hash).map((raw) => JSON.parse(raw) as ImageRecord);
  }

  async saveImage(sessionId: string, record: ImageRecord): Promise<void> {
    const key = this.key('images', sessionId);
    await this.redis.multi().hset(key, record.hash, JSON.stringify(record)).pexpire(key, this.ttlMs).exec();
  }

  /**
   * What a step already posted under an idempotency key: the platform message ids, and the text
   * (or other payload) it posted, so a re-run reuses it instead of asking the model again.
   */
  async posted(sessionId: string, idempotencyKey: string): Promise<PostedRecord | undefined> {
    const [ids, payload] = await Promise.all([this.redis.hget(this.key('posted', sessionId), idempotencyKey), this.redis.hget(this.key('replay', sessionId), idempotencyKey)]);
    if (!ids) return undefined;
    return { ids: JSON.parse(ids) as string[], ...(payload === null ? {} : { payload }) };
  }

  /**
   * Records a post that the platform accepted. This write matters more than most: without it a
   * re-run of the step would post again, so while Redis is briefly unreachable it is retried for
   * up to a minute before giving up.
   */
  async recordPosted(sessionId: string, idempotencyKey: string, record: PostedRecord): Promise<void> {
    const key = this.key('posted', sessionId);
    const deadline = Date.now() + 60_000;
    for (let attempt = 1; ; attempt++) {
      try {
        const transaction = this.redis.multi().hset(key, idempotencyKey, JSON.stringify(record.ids)).pexpire(key, this.ttlMs);
        if (record.payload !== undefined) {
          const replay = this.key('replay', sessionId);
          transaction.hset(replay, idempotencyKey, record.payload).pexpire(replay, this.ttlMs);
        }
        await transaction.exec();
        return;
      } catch (error) {
        if (!isRedisUnavailable(error) || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(200 * attempt, 2_000)));
      }
    }
  }

  async setPollMessageId(sessionId: string, messageId: string): Promise<void> {
    const poll = await this.poll(sessionId);
    if (!poll) return;
    await this.redis.hset(this.key('poll', sessionId), 'state', JSON.stringify({ ...poll, messageId }));
  }

  async rememberUserSession(platform: string, channel: string, userId: string, sessionId: string): Promise<void> {
    const key = this.keys.userChannelSessions(platform, channel, userId);
    await this.redis.multi().zadd(key, Date.now(), sessionId).zremrangebyrank(key, 0, -21).pexpire(key, this.ttlMs).exec();
  }

  async recentUserSessions(platform: string, channel: string, userId: string): Promise<string[]> {
    return this.redis.zrevrange(this.keys.userChannelSessions(platform, channel, userId), 0, 19);
  }

  /** Refreshes the TTL of every key of the session (activity). */
  async touch(sessionId: string): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const key of this.allKeys(sessionId)) pipeline.pexpire(key, this.ttlMs);
    pipeline.zadd(this.keys.activeSessions(), Date.now(), sessionId);
    await pipeline.exec();
  }
}
