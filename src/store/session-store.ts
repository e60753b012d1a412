/**
 * Session memory in Redis: meta (hash), transcript (append-only list), per-persona notes,
 * keyword candidates, the poll and its ballots, the ordered inbox, image descriptions and the
 * running step's outbox. Keys come from `RedisKeys`; every write sets or refreshes the session
 * TTL, and nothing here re-creates an expired key without it.
 *
 * The step machine changes a session only through `commit`, a Lua script that applies one step's
 * writes atomically and only if the session's `seq` is still the one the step started from — a
 * retried or duplicated step job can never apply its writes twice. The exactly-once rule for
 * what a step posts is stated in pipeline/step-outbox.ts.
 */
import { incrbyExpireOnce } from './expiring-writes.ts';
import { decodeMeta, pushMetaFields } from './meta-codec.ts';
import { decodeEntry, encodeEntry } from './transcript-codec.ts';
import { WindowCache } from './window-cache.ts';
import type { RedisClient } from './redis-connection.ts';
import type { InboxEvent } from '../adapter/inbound-event.ts';
import { sessionKeyTypes, type RedisKeys, type SessionKeyType } from './keys.ts';
import { ballotScript, beginPollCloseScript, commitScript, createScript, pushInboxScript, requestStopScript, snapshotScript, toggleBallotScript, usageScript } from './session-scripts.ts';
import type { Ballot, ImageRecord, KeywordCandidate, PollState, SessionMeta, TranscriptEntry } from '../session/session-types.ts';

/** What one committed step writes. */
export interface StepCommit {
  meta?: Partial<Omit<SessionMeta, 'seq' | 'epoch' | 'revivals' | 'sessionId' | 'tokensPrompt' | 'tokensCompletion' | 'modelCalls'>>;
  transcript?: TranscriptEntry[];
  notes?: Record<string, string>;
  /** Replaces the candidate pool. */
  candidates?: KeywordCandidate[];
  poll?: PollState | null;
  ballots?: Record<string, Ballot> | null;
  /** Image descriptions this step made (kept per session by content hash). */
  images?: ImageRecord[];
  /** How many inbox events this step consumed (from the head). */
  inboxConsumed?: number;
}

/** Everything a step reads first, in one round trip. */
export interface StepSnapshot {
  meta: SessionMeta | undefined;
  inbox: InboxEvent[];
  poll: PollState | undefined;
  transcriptLength: number;
  /** The raw outbox hash (field → value) of the step in progress; see pipeline/step-outbox.ts. */
  outbox: Record<string, string>;
  /** Whether the read claimed the step (`SnapshotOptions.claim`). */
  claimed: boolean;
  /** The step's transcript window (from where the rolling summary ends) and the session's images. */
  window: { entries: readonly TranscriptEntry[]; images: ImageRecord[] };
}

export interface SnapshotOptions {
  /** The most entries the transcript window holds. */
  windowEntries: number;
  /** Claims the step as it reads (pipeline/step-outbox.ts): written only if it is the session's current step. */
  claim?: { seq: number; epoch: number; runnerField: string; token: string };
}

/** A flat HGETALL reply as an object. */
function hashOf(flat: readonly string[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (let index = 0; index + 1 < flat.length; index += 2) hash[flat[index]!] = flat[index + 1]!;
  return hash;
}

/** Who a model call was for (a persona id, or the session as a whole) and which model answered. */
export interface UsageSource {
  who?: string;
  model?: string;
}

export interface UsageBySource {
  who: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  calls: number;
}

const usageFieldPrefix = 'usage|';

/** The notes field (prefix) a call's token use is counted under: `usage|<who>|<model>`. */
export function usageField(by: UsageSource): string {
  return `${usageFieldPrefix}${(by.who ?? 'session').replace(/\|/g, '')}|${(by.model ?? 'unknown').replace(/\|/g, '')}`;
}

/** The `usage|<who>|<model>|<count>` fields of a session's notes, summed per who and model. */
export function parseUsageNotes(notes: Record<string, string>): UsageBySource[] {
  const lines = new Map<string, UsageBySource>();
  for (const [field, value] of Object.entries(notes)) {
    const match = /^usage\|([^|]*)\|([^|]*)\|(prompt|completion|calls)$/.exec(field);
    if (!match) continue;
    const [, who = '', model = '', count] = match;
    const line = lines.get(`${who}|${model}`) ?? { who, model, promptTokens: 0, completionTokens: 0, calls: 0 };
    const amount = Number(value) || 0;
    if (count === 'prompt') line.promptTokens += amount;
    else if (count === 'completion') line.completionTokens += amount;
    else line.calls += amount;
    lines.set(`${who}|${model}`, line);
  }
  return [...lines.values()];
}

export class SessionStore {
  readonly ttlMs: number;
  /** The transcript windows of recent snapshots (store/window-cache.ts). */
  private readonly windows = new WindowCache();

  constructor(
    readonly redis: RedisClient,
    readonly keys: RedisKeys,
    ttlHours: number,
  ) {
    this.ttlMs = Math.round(ttlHours * 3_600_000);
  }

  key(type: SessionKeyType, sessionId: string): string {
    return this.keys.session(type, sessionId);
  }

  private allKeys(sessionId: string): string[] {
    return sessionKeyTypes.map((type) => this.key(type, sessionId));
  }

  /** Creates the session in one atomic write (meta and its TTL); false when one already exists. */
  async create(meta: SessionMeta): Promise<boolean> {
    const args: (string | number)[] = [this.ttlMs];
    pushMetaFields(args, meta);
    return (await createScript.run(this.redis, [this.key('meta', meta.sessionId)], args)) === 1;
  }

  /**
   * What a step reads first, in one command (session-scripts.ts `snapshotScript`): meta, inbox,
   * poll, transcript length, outbox, the transcript window and the images — and, with
   * `options.claim`, the step's claim, made in the same atomic read.
   */
  async snapshot(sessionId: string, options: SnapshotOptions): Promise<StepSnapshot> {
    const keys = (['meta', 'inbox', 'poll', 'transcript', 'outbox', 'images'] as const).map((type) => this.key(type, sessionId));
    const { claim } = options;
    const cached = this.windows.get(sessionId);
    const args = [options.windowEntries, claim?.seq ?? 0, claim?.epoch ?? 0, claim?.runnerField ?? '', claim?.token ?? '', this.ttlMs, cached?.createdAt ?? '', cached ? cached.from + cached.entries.length : 0, cached?.from ?? 0];
    const reply = (await snapshotScript.run(this.redis, keys, args)) as [string[], string[], string | null, number, string[], number, string[], string[], number, number] | [];
    if (reply.length === 0) {
      this.windows.delete(sessionId);
      return { meta: undefined, inbox: [], poll: undefined, transcriptLength: 0, outbox: {}, claimed: false, window: { entries: [], images: [] } };
    }
    const [metaFlat, inbox, pollRaw, transcriptLength, outboxFlat, claimed, window, imagesFlat, start, from] = reply;
    const { meta, createdAt } = decodeMeta(metaFlat);
    const images: ImageRecord[] = [];
    for (let index = 1; index < imagesFlat.length; index += 2) images.push(JSON.parse(imagesFlat[index]!) as ImageRecord);
    const read = window.map((raw) => Object.freeze(decodeEntry(raw)));
    // `from > start`: the script trusted the cached entries from `start` up to `from`.
    const entries = Object.freeze(cached && from > start ? [...cached.entries.slice(start - cached.from, from - cached.from), ...read] : read);
    if (createdAt && meta?.status !== 'ended') this.windows.set(sessionId, { createdAt, from: start, entries });
    else this.windows.delete(sessionId);
    return {
      meta,
      inbox: inbox.map((raw) => JSON.parse(raw) as InboxEvent),
      poll: pollRaw ? (JSON.parse(pollRaw) as PollState) : undefined,
      transcriptLength,
      outbox: hashOf(outboxFlat),
      claimed: claimed === 1,
      window: { entries, images },
    };
  }

  async load(sessionId: string): Promise<SessionMeta | undefined> {
    const hash = await this.redis.hgetall(this.key('meta', sessionId));
    return decodeMeta(Object.entries(hash).flat()).meta;
  }

  async transcript(sessionId: string, start = 0, end = -1): Promise<TranscriptEntry[]> {
    const raw = await this.redis.lrange(this.key('transcript', sessionId), start, end);
    return raw.map(decodeEntry);
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
    const [raw, closing] = await this.redis.hmget(this.key('poll', sessionId), 'state', 'closing');
    if (!raw) return undefined;
    const poll = JSON.parse(raw) as PollState;
    return poll.status === 'open' && closing === poll.pollId ? { ...poll, closing: true } : poll;
  }

  /**
   * Begins the close of the named poll: no ballot is applied to it from here on, so the result
   * the close step counts is the final one. False when that poll is not open.
   */
  async beginPollClose(sessionId: string, pollId: string): Promise<boolean> {
    return (await beginPollCloseScript.run(this.redis, [this.key('poll', sessionId)], [pollId])) === 1;
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

  /**
   * Toggles `index` in a person's ballot on the named poll while it is open. `full`: the ballot
   * already holds `maxChoices`; `closed`: that poll is not the open one.
   */
  async toggleBallot(sessionId: string, pollId: string, voterId: string, voterName: string, index: number, maxChoices: number): Promise<{ kind: 'applied'; choices: number[] } | { kind: 'full' } | { kind: 'closed' }> {
    const result = (await toggleBallotScript.run(this.redis, [this.key('poll', sessionId), this.key('ballots', sessionId)], [pollId, voterId, voterName, index, maxChoices, this.ttlMs])) as string;
    if (result === 'closed' || result === 'full') return { kind: result };
    const decoded = JSON.parse(result) as number[] | Record<string, never>;
    return { kind: 'applied', choices: Array.isArray(decoded) ? decoded : [] };
  }

  /**
   * Appends an event to the ordered inbox, once per event id (the dedupe mark and the event are
   * written in one script). Returns false for an event seen before or a session that is gone.
   */
  async pushInbox(sessionId: string, event: InboxEvent): Promise<boolean> {
    const keys = [this.keys.sessionEventSeen(sessionId, event.eventId), this.key('inbox', sessionId), this.key('meta', sessionId)];
    return (await pushInboxScript.run(this.redis, keys, [this.ttlMs, JSON.stringify(event)])) === 1;
  }

  /**
   * Queues a `/stop` (its inbox event, and the session's `stopRequest` for the step running now or
   * next) when there is something to stop. `stopping` carries the step's seq; `idle`: nothing is
   * planned or waiting; `closing`: the closing summary is under way; `gone`: no live session.
   */
  async requestStop(sessionId: string, event: InboxEvent): Promise<{ kind: 'stopping'; seq: number } | { kind: 'idle' | 'closing' | 'gone' | 'duplicate' }> {
    const keys = [this.keys.sessionEventSeen(sessionId, event.eventId), this.key('inbox', sessionId), this.key('meta', sessionId)];
    const result = Number(await requestStopScript.run(this.redis, keys, [this.ttlMs, JSON.stringify(event), event.eventId]));
    if (result >= 0) return { kind: 'stopping', seq: result };
    return { kind: result === -2 ? 'idle' : result === -3 ? 'closing' : result === -4 ? 'duplicate' : 'gone' };
  }

  /** The session's latest stop request (read by a running step when pub/sub may have missed one). */
  async stopRequest(sessionId: string): Promise<SessionMeta['stopRequest']> {
    const raw = await this.redis.hget(this.key('meta', sessionId), 'stopRequest');
    return raw ? (JSON.parse(raw) as SessionMeta['stopRequest']) : undefined;
  }

  async inbox(sessionId: string): Promise<InboxEvent[]> {
    const raw = await this.redis.lrange(this.key('inbox', sessionId), 0, -1);
    return raw.map((entry) => JSON.parse(entry) as InboxEvent);
  }

  /**
   * Steps planned and events waiting, read atomically (MULTI): read separately, a commit in
   * between (which moves events from the inbox into the agenda) could make a busy session look idle.
   */
  async pendingWork(sessionId: string): Promise<{ steps: number; events: number; exists: boolean; seq: number; epoch: number; status: string | undefined }> {
    const results = await this.redis.multi().hmget(this.key('meta', sessionId), 'agenda', 'seq', 'epoch', 'status').llen(this.key('inbox', sessionId)).exec();
    const [agenda, seq, epoch, status] = (results?.[0]?.[1] ?? []) as (string | null)[];
    const events = Number(results?.[1]?.[1] ?? 0);
    return {
      steps: agenda ? (JSON.parse(agenda) as unknown[]).length : 0,
      events,
      exists: seq !== null && seq !== undefined,
      seq: Number(seq ?? 0),
      epoch: Number(epoch ?? 0),
      status: status ?? undefined,
    };
  }

  async inboxLength(sessionId: string): Promise<number> {
    return this.redis.llen(this.key('inbox', sessionId));
  }

  /**
   * Applies one step's writes atomically if `seq` still equals `expectSeq`, advances `seq`, and
   * deletes the step's outbox. Returns the new seq and the inbox length after the commit (read
   * inside the same script), or undefined when the step was stale (already committed elsewhere).
   */
  async commit(sessionId: string, expectSeq: number, commit: StepCommit): Promise<{ seq: number; inboxLength: number } | undefined> {
    const ops: Record<string, unknown> = {};
    // ARGV (session-scripts.ts `commitScript`): seq, TTL, the rarer writes (set below), M, M meta pairs, the entries.
    const args: (string | number)[] = [expectSeq, this.ttlMs, '', 0];
    args[3] = pushMetaFields(args, { ...(commit.meta ?? {}), updatedAt: Date.now() });
    for (const entry of commit.transcript ?? []) args.push(encodeEntry(entry));
    if (commit.notes && Object.keys(commit.notes).length) ops.notes = commit.notes;
    if (commit.candidates) ops.candidates = commit.candidates.map((candidate) => JSON.stringify(candidate));
    if (commit.poll === null) ops.pollDelete = true;
    else if (commit.poll) ops.poll = JSON.stringify(commit.poll);
    if (commit.ballots === null) ops.ballotsDelete = true;
    else if (commit.ballots && Object.keys(commit.ballots).length) {
      ops.ballots = Object.fromEntries(Object.entries(commit.ballots).map(([voter, ballot]) => [voter, JSON.stringify(ballot)]));
    }
    if (commit.images?.length) ops.images = Object.fromEntries(commit.images.map((image) => [image.hash, JSON.stringify(image)]));
    if (commit.inboxConsumed) ops.inboxConsumed = commit.inboxConsumed;
    // cjson encodes an empty Lua table as {} — only send non-empty tables.
    if (Object.keys(ops).length > 0) args[2] = JSON.stringify(ops);
    const result = (await commitScript.run(this.redis, this.allKeys(sessionId), args)) as number | [number, number];
    return Array.isArray(result) ? { seq: result[0], inboxLength: result[1] } : undefined;
  }

  /**
   * Token use is recorded as it happens (not step-guarded): spent tokens are spent. The session's
   * starter is charged too, in a per-person counter that expires a day after its first charge.
   * A session that has expired is not re-created by a late charge.
   */
  async addUsage(sessionId: string, promptTokens: number, completionTokens: number, starter?: { platform: string; personId: string }, by: UsageSource = {}): Promise<void> {
    const charges: Promise<unknown>[] = [usageScript.run(this.redis, [this.key('meta', sessionId), this.key('notes', sessionId)], [promptTokens, completionTokens, usageField(by), this.ttlMs])];
    if (starter) {
      const spendKey = this.keys.userSpend(starter.platform, starter.personId);
      charges.push(incrbyExpireOnce(this.redis, spendKey, promptTokens + completionTokens, 86_400));
    }
    await Promise.all(charges);
  }

  /** Token use per speaker and model (`addUsage`'s `by`), from the session's notes. */
  async usageBySource(sessionId: string): Promise<UsageBySource[]> {
    return parseUsageNotes(await this.notes(sessionId));
  }

  /** Tokens the person's sessions spent in the current day window. */
  /** Charges tokens spent outside a session (a drafted panel) to the person's daily spend. */
  async chargePerson(platform: string, personId: string, tokens: number): Promise<void> {
    if (tokens > 0) await incrbyExpireOnce(this.redis, this.keys.userSpend(platform, personId), tokens, 86_400);
  }

  async userSpend(platform: string, personId: string): Promise<number> {
    return Number((await this.redis.get(this.keys.userSpend(platform, personId))) ?? 0);
  }

  async image(sessionId: string, hash: string): Promise<ImageRecord | undefined> {
    const raw = await this.redis.hget(this.key('images', sessionId), hash);
    return raw ? (JSON.parse(raw) as ImageRecord) : undefined;
  }

  /**
   * Keeps a small JPEG of an image for the HTML transcript. Only while the session exists (a late
   * write never leaves a key without its session); the key carries the session's TTL.
   */
  async saveThumbnail(sessionId: string, hash: string, jpeg: Buffer): Promise<void> {
    const meta = this.key('meta', sessionId);
    const thumbs = this.key('thumbs', sessionId);
    if (!(await this.redis.exists(meta))) return;
    await this.redis.multi().hset(thumbs, hash, jpeg).pexpire(thumbs, this.ttlMs).exec();
  }

  /** The session's image thumbnails by content hash. */
  async thumbnails(sessionId: string): Promise<Record<string, Buffer>> {
    return this.redis.hgetallBuffer(this.key('thumbs', sessionId)) as Promise<Record<string, Buffer>>;
  }

  async images(sessionId: string): Promise<ImageRecord[]> {
    const hash = await this.redis.hgetall(this.key('images', sessionId));
    return Object.values(hash).map((raw) => JSON.parse(raw) as ImageRecord);
  }

  async rememberUserSession(platform: string, channel: string, userId: string, sessionId: string): Promise<void> {
    const key = this.keys.userChannelSessions(platform, channel, userId);
    await this.redis.multi().zadd(key, Date.now(), sessionId).zremrangebyrank(key, 0, -21).pexpire(key, this.ttlMs).exec();
  }

  async recentUserSessions(platform: string, channel: string, userId: string): Promise<string[]> {
    return this.redis.zrevrange(this.keys.userChannelSessions(platform, channel, userId), 0, 19);
  }
}
