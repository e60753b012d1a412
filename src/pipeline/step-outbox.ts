/**
 * The exactly-once rule — the one place it is stated and implemented.
 *
 * A step is one job of one session (`seq`). It has two kinds of effects: writes to the session in
 * Redis, and messages on the chat platform. They are made exactly once like this:
 *
 * 1. **Redis effects** are applied only by the commit script (`SessionStore.commit`), atomically,
 *    and only while the session's `seq` is still the step's; the same script advances `seq` and
 *    deletes this outbox. So a committed step never runs again (any later job for it is stale),
 *    and an uncommitted step has changed nothing in the session's record (meta, transcript, inbox,
 *    agenda) but its outbox. Two kinds of writes are made during the step, outside the commit, on
 *    purpose: model usage (tokens, per-person spend — spent money is counted when it is spent, so
 *    an attempt that dies after its model call is still charged once per call it made; a
 *    persona's answer's use is counted by the payload save of that answer, rule 2a) and image
 *    thumbnails (content-addressed: writing one twice writes the same bytes).
 * 2. **Platform effects** are recorded in the step's outbox (one Redis hash per session, fields
 *    prefixed by `seq`), *per platform message, as it is sent*, in this order:
 *    a. the model's answer (the payload) is saved before its first final part is sent, with the
 *       token use of the call that wrote it (counted even if the fence refuses the save);
 *    b. before each platform call that creates a message: an **intent** — when, and the exact
 *       text (or file names) about to be sent;
 *    c. the platform call;
 *    d. after it: the message's **ref** (the adapter's handle to edit it later). For a streamed
 *       message, the ref is recorded right after its first post, before any edit, together with
 *       how it streams (`native` or `edit`) and, later, that a native stream was stopped.
 * 3. **A re-run** of an uncommitted step (retry, stalled job taken over, revived job) reads the
 *    outbox in the step's first Redis round trip and, at each point (send-once.ts, per message):
 *    - payload saved → reuses it (no second model call; the transcript says what was posted);
 *    - ref recorded → never sends that message again (a stream is re-attached and edited; a
 *      native stream still open is stopped first, so none is left unfinished);
 *    - intent withdrawn (the adapter said the send failed before its platform call:
 *      src/adapter/not-sent.ts) → sent, without a look-up;
 *    - intent without ref (the process died or Redis failed around the platform call) → asks
 *      the platform for a message of that speaker with that exact text since the intent
 *      (`ChatAdapter.findPost`); found → recorded and reused; not found → sent;
 *    - a streamed message a `/stop` finished as it stood (`finishedAs`, recorded before that
 *      write) → never continued by a later answer; the re-run of the stopped step writes the same
 *      final text again (an idempotent edit or stream stop: engine/stopped-attempt.ts);
 *    - nothing → sent.
 * 4. **Fencing.** Every runner of a step claims its outbox first (`claim`: one script sets the
 *    runner's token and returns the outbox as it is at that instant, so nothing an earlier runner
 *    recorded before the claim is missed; the step machine makes the same claim inside its
 *    snapshot script, session-scripts.ts `snapshotScript`, and hands the token over). Intents and payloads are written by a script that
 *    refuses when the step has been committed meanwhile (`meta.seq` moved on) or when a newer
 *    runner has claimed the outbox; a stream checks the claim before each intermediate write
 *    (`owns`). So a worker that lost its job lock and kept running (its event loop starved past
 *    the lock time) stops before its next send or edit instead of writing beside its successor.
 *
 * A runner that no longer owns its step (its job cancelled on a lost lock, or past its deadline's
 * grace: `superseded`) sends nothing more; on Slack, a send still waiting for its platform
 * budget gives up too (`SendRequest.signal`).
 *
 * Residual hazards (stated, not hidden): an adapter without `findPost` (the terminal) resends a
 * message whose intent has no ref; a stale runner already inside a platform call when its
 * successor looks the message up can still duplicate that one message (on Discord, that includes
 * a send waiting for its channel's budget).
 */
import { hsetExpire } from '../store/expiring-writes.ts';
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../store/redis-connection.ts';
import { TableRoundError } from '../errors.ts';
import { catalogText } from '../i18n/translate.ts';
import { isRedisUnavailable } from '../store/redis-connection.ts';
import { RedisScript } from '../store/redis-script.ts';
import { addUsageLua } from '../store/session-scripts.ts';
import { usageField, type UsageSource } from '../store/session-store.ts';

/** What the outbox knows of one platform message of a post (`part` 0 is a stream's message). */
export interface OutboxPart {
  /** The adapter's handle, once the platform accepted the message. */
  ref?: string;
  /** Set by the intent: the platform call started then (ms); with no ref, its outcome is unknown. */
  pendingSince?: number;
  /** The text sent (or being sent, before rendering), to recognise the message on the platform. */
  text?: string;
  fileNames?: string[];
  /** The adapter's poll message. */
  poll?: boolean;
  /** A streamed message: written by a native platform stream, or by edits of a posted message. */
  stream?: 'native' | 'edit';
  /** A native stream that has been stopped (finished on the platform). */
  stopped?: boolean;
  /** A streamed message's persona (to edit it as that persona in a re-run). */
  personaId?: string;
  /**
   * `/stop` finished the streamed message as it stood: the text it was being finished with,
   * recorded before that platform write (a re-run writes it again; writes are idempotent) — and
   * a stopped message is never continued by a later answer.
   */
  finishedAs?: string;
}

/** The step was committed, or another runner took it over: this runner must stop. */
export class StepSupersededError extends TableRoundError {
  constructor(reason: string) {
    super('internal', `step superseded: ${reason}`, { text: catalogText('step.superseded') });
  }
}

/** Window allowed between a worker's clock and the platform's when looking a message up. */
export const lookupClockSlackMs = 10_000;
/** How long a record of an accepted message is retried while Redis is unreachable. */
const recordRetryMs = 60_000;

// KEYS[1] outbox, KEYS[2] meta, KEYS[3] notes. ARGV: seq, runner token, claim (1/0), field,
// value, ttl, then the token use this write carries (a payload save: the answer's model call):
// N, then N × (prompt tokens, completion tokens, usage field). The use is counted first and
// whatever the fence says — spent tokens are spent — on a session that still exists.
export const fencedWriteScript = new RedisScript(`${addUsageLua}
local carried = tonumber(ARGV[7] or '0')
if carried > 0 and redis.call('EXISTS', KEYS[2]) == 1 then
  for at = 8, 7 + 3 * carried, 3 do
    addUsage(KEYS[2], KEYS[3], tonumber(ARGV[at]), tonumber(ARGV[at + 1]), ARGV[at + 2], tonumber(ARGV[6]))
  end
end
if tonumber(redis.call('HGET', KEYS[2], 'seq')) ~= tonumber(ARGV[1]) then return -1 end
local runnerField = ARGV[1] .. '|runner'
if ARGV[3] == '1' then
  redis.call('HSET', KEYS[1], runnerField, ARGV[2])
elseif redis.call('HGET', KEYS[1], runnerField) ~= ARGV[2] then
  return -2
end
redis.call('HSET', KEYS[1], ARGV[4], ARGV[5])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[6]))
return 1
`);

// KEYS[1] outbox, KEYS[2] meta. ARGV: seq, runner token, ttl, runner field. Nil when the step was committed.
export const claimScript = new RedisScript(`
if tonumber(redis.call('HGET', KEYS[2], 'seq')) ~= tonumber(ARGV[1]) then return false end
redis.call('HSET', KEYS[1], ARGV[4], ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return redis.call('HGETALL', KEYS[1])
`);

export interface StepOutboxLocation {
  redis: RedisClient;
  /** The session's outbox, meta and notes hashes (same cluster slot; the notes take a payload's token use). */
  outboxKey: string;
  metaKey: string;
  notesKey: string;
  ttlMs: number;
}

/** A model call's token use, counted by the payload save of its answer (`savePayload`). */
export interface CarriedUsage {
  promptTokens: number;
  completionTokens: number;
  /** Who it was for and which model answered (its notes field: store/session-store.ts `usageField`). */
  by: UsageSource;
}

/**
 * One step's outbox, loaded with the step's snapshot. Reads are in memory; every write goes to
 * Redis before the method returns.
 */
export class StepOutbox {
  private readonly records = new Map<string, string>();
  private readonly token: string;
  private claimed: boolean;

  /** The outbox field naming the runner that owns step `seq` (rule 4). */
  static runnerField(seq: number): string {
    return `${seq}|runner`;
  }

  constructor(
    private readonly location: StepOutboxLocation,
    readonly seq: number,
    raw: Record<string, string>,
    /**
     * Aborts when this runner no longer owns its step: its job was cancelled (its lock was lost,
     * or the worker shut down) or it ran past its deadline's grace (step-queue.ts). A send not
     * yet made is then not made (`sendOnce`, send-once.ts), and an adapter waiting for a
     * platform budget (`SendRequest.signal`) gives up instead of sending beside the step's
     * successor.
     */
    readonly superseded?: AbortSignal,
    /**
     * The token this runner already claimed the step with, `raw` read at that instant (the step
     * machine claims with its snapshot: session-store.ts `snapshot`). Absent: `claim()` claims.
     */
    claimedAs?: string,
  ) {
    this.token = claimedAs ?? randomUUID();
    this.claimed = claimedAs !== undefined;
    this.load(raw);
  }

  private load(raw: Record<string, string>): void {
    const prefix = `${this.seq}|`;
    this.records.clear();
    for (const [field, value] of Object.entries(raw)) if (field.startsWith(prefix)) this.records.set(field.slice(prefix.length), value);
  }

  /**
   * Makes this runner the step's (rule 4) and re-reads the outbox at that instant. False: the step
   * was committed meanwhile (this runner has nothing to do).
   */
  async claim(): Promise<boolean> {
    const { redis, outboxKey, metaKey, ttlMs } = this.location;
    const flat = (await claimScript.run(redis, [outboxKey, metaKey], [this.seq, this.token, ttlMs, StepOutbox.runnerField(this.seq)])) as string[] | null;
    if (!flat) return false;
    const raw: Record<string, string> = {};
    for (let index = 0; index + 1 < flat.length; index += 2) raw[flat[index]!] = flat[index + 1]!;
    this.load(raw);
    this.claimed = true;
    return true;
  }

  /**
   * False once another runner has claimed the step or it was committed: this runner must not
   * write to the platform any more (a stream stops its intermediate writes).
   */
  async owns(): Promise<boolean> {
    const { redis, outboxKey, metaKey } = this.location;
    const [runner, seq] = await Promise.all([redis.hget(outboxKey, StepOutbox.runnerField(this.seq)), redis.hget(metaKey, 'seq')]);
    if (Number(seq) !== this.seq) return false;
    return runner === null ? !this.claimed : runner === this.token;
  }

  /** True when an earlier attempt of this step left anything (a re-run). */
  get isRerun(): boolean {
    return [...this.records.keys()].some((field) => field !== 'runner');
  }

  payload(key: string): string | undefined {
    return this.records.get(`${key}|payload`);
  }

  /**
   * Saves what a post will say, before any of it is sent (rule 2a). Fenced. `usage`: the token use
   * of the model call that wrote it, counted in the same command (one fewer per persona turn);
   * counted even when the fence refuses the save.
   */
  async savePayload(key: string, value: string, usage: readonly CarriedUsage[] = []): Promise<void> {
    await this.fencedWrite(`${key}|payload`, value, usage);
  }

  part(key: string, part: number): OutboxPart | undefined {
    const raw = this.records.get(`${key}|${part}`);
    return raw === undefined ? undefined : (JSON.parse(raw) as OutboxPart);
  }

  /** Every ref this step has recorded (a lookup must not mistake one of them for another). */
  refs(): string[] {
    const refs: string[] = [];
    for (const [field, raw] of this.records) {
      if (field.endsWith('|payload') || field === 'runner') continue;
      const ref = (JSON.parse(raw) as OutboxPart).ref;
      if (ref) refs.push(ref);
    }
    return refs;
  }

  /** Every streamed message an earlier attempt posted (part 0 of its key, with a ref). */
  streams(): { key: string; part: OutboxPart & { ref: string } }[] {
    const found: { key: string; part: OutboxPart & { ref: string } }[] = [];
    for (const [field, raw] of this.records) {
      const match = /^(.*)\|0$/.exec(field);
      if (!match?.[1]) continue;
      const part = JSON.parse(raw) as OutboxPart;
      if (part.ref && part.stream) found.push({ key: match[1], part: { ...part, ref: part.ref } });
    }
    return found;
  }

  /** Native streams an earlier attempt started and nobody stopped (their key and record). */
  openNativeStreams(): { key: string; part: OutboxPart & { ref: string } }[] {
    const open: { key: string; part: OutboxPart & { ref: string } }[] = [];
    for (const [field, raw] of this.records) {
      const match = /^(.*)\|0$/.exec(field);
      if (!match?.[1]) continue;
      const part = JSON.parse(raw) as OutboxPart;
      if (part.ref && part.stream === 'native' && !part.stopped) open.push({ key: match[1], part: { ...part, ref: part.ref } });
    }
    return open;
  }

  /** Rule 2b: written before the platform call. Fenced. */
  async intend(key: string, part: number, intent: Omit<OutboxPart, 'ref' | 'pendingSince' | 'stopped'>): Promise<void> {
    await this.fencedWrite(`${key}|${part}`, JSON.stringify({ ...intent, pendingSince: Date.now() }));
  }

  /** An intent whose message was certainly not sent (src/adapter/not-sent.ts): kept, without its pending mark. Fenced. */
  async withdraw(key: string, part: number): Promise<void> {
    const field = `${key}|${part}`;
    const raw = this.records.get(field);
    if (raw === undefined) return;
    const { pendingSince: _pending, ...withdrawn } = JSON.parse(raw) as OutboxPart;
    await this.fencedWrite(field, JSON.stringify(withdrawn));
  }

  /**
   * Rule 2d: written after the platform accepted the message. Not fenced (it records a fact),
   * and retried while Redis is unreachable: without it a re-run would have to look the message up.
   */
  async record(key: string, part: number, sent: OutboxPart): Promise<void> {
    const field = `${key}|${part}`;
    const value = JSON.stringify(sent);
    const { redis, outboxKey, ttlMs } = this.location;
    const deadline = Date.now() + recordRetryMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await hsetExpire(redis, outboxKey, `${this.seq}|${field}`, value, ttlMs);
        this.records.set(field, value);
        return;
      } catch (error) {
        if (!isRedisUnavailable(error) || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * attempt, 2_000)));
      }
    }
  }

  private async fencedWrite(field: string, value: string, usage: readonly CarriedUsage[] = []): Promise<void> {
    const { redis, outboxKey, metaKey, notesKey, ttlMs } = this.location;
    const claim = !this.claimed;
    const args: (string | number)[] = [this.seq, this.token, claim ? '1' : '0', `${this.seq}|${field}`, value, ttlMs];
    if (usage.length > 0) {
      args.push(usage.length);
      for (const { promptTokens, completionTokens, by } of usage) args.push(promptTokens, completionTokens, usageField(by));
    }
    const result = await fencedWriteScript.run(redis, [outboxKey, metaKey, notesKey], args);
    if (result === -1) throw new StepSupersededError('the step was committed by another runner');
    if (result === -2) throw new StepSupersededError('another runner took the step over');
    this.claimed = true;
    this.records.set(field, value);
  }
}
