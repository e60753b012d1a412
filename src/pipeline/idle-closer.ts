/**
 * Idle close: a session nobody has touched for `idleMs` (IDLE_END_HOURS) is ended as by /end —
 * closing summary, transcript, archive — with a line saying it closed for inactivity, instead of
 * its memory expiring unsaved. Run by every worker process, like the sweeper.
 *
 * Activity is what the store records: `meta.updatedAt`, set by every committed step — and every
 * person's message and command is committed by the step that takes it from the inbox. (Ballot
 * clicks are not activity: they touch only the ballots.) An index makes finding idle sessions
 * cheap: a sorted set, session id → a time at or before which the session was last active
 * (`markActive`, called wherever work is added or a step leaves work: the pending-work marks;
 * written at most once a minute per session and process, `markEveryMs`).
 * It is a candidate list, never the truth: the decision reads `meta.updatedAt` and the inbox
 * atomically (one Lua script over the session's keys) and re-scores an entry that was active.
 *
 * Once a session is found idle, on one worker per interval (a short lease):
 * 1. The check script refreshes the TTL of every key of the session, so the close has a whole
 *    SESSION_TTL_HOURS to run in, however long it waits in the queue (see "TTL" below).
 * 2. The `end` command is submitted through the normal pipeline (RoundtableService.submit) on
 *    behalf of `idleCloser`, under the event id `idle-close:<updatedAt>`: the inbox takes an event
 *    id once (its dedupe mark and the push are one script), so two workers deciding on the same
 *    idle period push one event. The closing step then runs exactly once, as for /end
 *    (step-outbox.ts), and says why the session ended (closing-step.ts).
 * 3. `end`'s plan drops the request if the session committed anything since (`idleSince` differs
 *    from `meta.updatedAt`): a session that woke up is not closed.
 * A worker that dies between 1 and 2 leaves the session idle and indexed: the next pass does it
 * again. One that dies after the push leaves work the pending index knows: the sweeper kicks it.
 * An ended or expired session leaves the index (only if its entry was not touched meanwhile).
 *
 * TTL: every commit refreshes the TTL of all of a session's keys, so none expires before
 * `updatedAt + SESSION_TTL_HOURS`; config refuses IDLE_END_HOURS ≥ SESSION_TTL_HOURS, and the
 * default is at most half the TTL, so the close is decided while every key is alive, and step 1
 * gives it a full TTL from then. Only a deployment with no worker running for
 * TTL − IDLE_END_HOURS can still lose a session.
 *
 * Cost per interval: a SET NX and a ZRANGEBYSCORE; one script per session idle past the threshold.
 */
import { zaddExpire } from '../store/expiring-writes.ts';
import type { RedisClient } from '../store/redis-connection.ts';
import type { Person } from '../adapter/inbound-event.ts';
import { asTableRoundError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import { sessionKeyTypes, type RedisKeys } from '../store/keys.ts';
import { RedisScript } from '../store/redis-script.ts';
import type { SessionStore } from '../store/session-store.ts';

/** Who ends an idle session: the bot itself. No platform issues ids with a colon like this one. */
export const idleCloser: Person = { id: 'tableround:idle-close', displayName: 'TableRound', isManager: true };

export function isIdleCloser(person: Pick<Person, 'id'>): boolean {
  return person.id === idleCloser.id;
}

/** Options of the `end` request an idle close submits: the `updatedAt` the session was idle since. */
export interface IdleEndOptions {
  idleSince: number;
}

/** Submits `end` for `person` with `options` under `eventId` (RoundtableService.submit). */
export type SubmitEnd = (sessionId: string, person: Person, options: IdleEndOptions, eventId: string) => Promise<unknown>;

export interface IdleCloserOptions {
  /** Inactivity (ms) after which a session is closed; 0 turns idle close off. */
  idleMs: number;
  /** How often one worker looks (ms): `idleCheckIntervalMs(idleMs)`. */
  intervalMs: number;
  /** The session TTL (ms): a close refreshes the session's keys to it; the index lives twice as long. */
  ttlMs: number;
}

/** A check every twentieth of the idle time, between 100 ms and a minute: a close is at most that late. */
export function idleCheckIntervalMs(idleMs: number): number {
  return Math.max(100, Math.min(60_000, Math.round(idleMs / 20)));
}

/** The index of last activity (sorted set). Built here until RedisKeys has it. */
export function activityIndexKey(keys: RedisKeys): string {
  return `${keys.prefix}:activity`;
}

/** The lease that lets one worker at a time look for idle sessions. */
export function idleCloserLeaseKey(keys: RedisKeys): string {
  return `${keys.prefix}:idle-closer`;
}

/** Sessions looked at per pass (a pass that finds more continues at the next interval). */
const batchSize = 200;

type CheckState = 'gone' | 'ended' | 'active' | 'busy' | 'idle';

// KEYS[1] meta, KEYS[2] inbox, KEYS[3..] every key of the session. ARGV: threshold (ms), ttl (ms).
// Idle: active, last committed at or before the threshold, nothing waiting in the inbox. Then every
// existing key of the session gets a whole TTL, so the close has time to run.
const checkScript = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {'gone', '0'} end
local fields = redis.call('HMGET', KEYS[1], 'status', 'updatedAt', 'createdAt')
if fields[1] == 'ended' then return {'ended', '0'} end
local last = fields[2] or fields[3] or '0'
if tonumber(last) > tonumber(ARGV[1]) then return {'active', last} end
if redis.call('LLEN', KEYS[2]) > 0 then return {'busy', last} end
for i = 3, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2])) end
end
return {'idle', last}
`);

// KEYS[1] the index. ARGV: member, the score read, the new score ('' removes). Only if the score is unchanged.
const replaceIfUnchangedScript = new RedisScript(`
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) ~= tonumber(ARGV[2]) then return 0 end
if ARGV[3] == '' then return redis.call('ZREM', KEYS[1], ARGV[1]) end
redis.call('ZADD', KEYS[1], 'XX', tonumber(ARGV[3]), ARGV[1])
return 1
`);

/**
 * A session this process marked active less than this long ago is not written again: the index
 * holds a time at or before the last activity, so a mark up to this old is still true, and a
 * running session's steps (several a second) write it once a minute instead of every step.
 */
export const markEveryMs = 60_000;
/** Sessions whose last mark this process remembers (the oldest forgotten first). */
const marksKept = 10_000;

export class IdleCloser {
  private readonly indexKey: string;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** When this process last wrote each session's mark. */
  private readonly marked = new Map<string, number>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly store: Pick<SessionStore, 'key'>,
    private readonly submitEnd: SubmitEnd,
    private readonly options: IdleCloserOptions,
    private readonly logger: Logger,
  ) {
    this.indexKey = activityIndexKey(keys);
  }

  get enabled(): boolean {
    return this.options.idleMs > 0;
  }

  /**
   * Records activity of a session now (a start, a message, a command, a step that left work).
   * Bounded: the index expires twice the session TTL after its last write, when every session
   * it lists has expired.
   */
  async markActive(sessionId: string, now = Date.now()): Promise<void> {
    if (!this.enabled) return;
    const last = this.marked.get(sessionId);
    if (last !== undefined && now - last < markEveryMs && now >= last) return;
    await zaddExpire(this.redis, this.indexKey, now, sessionId, 2 * this.options.ttlMs);
    this.marked.delete(sessionId);
    this.marked.set(sessionId, now);
    if (this.marked.size > marksKept) this.marked.delete(this.marked.keys().next().value!);
  }

  start(): void {
    if (this.timer || !this.enabled) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.pass()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'idle close: pass failed; trying again next interval'))
        .finally(() => (this.running = undefined));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass; returns how many sessions it asked to close (0 when another worker holds the lease). */
  async pass(now = Date.now()): Promise<number> {
    if (!this.enabled) return 0;
    const lease = await this.redis.set(idleCloserLeaseKey(this.keys), String(process.pid), 'PX', Math.max(100, this.options.intervalMs - 50), 'NX');
    if (lease !== 'OK') return 0;
    const threshold = now - this.options.idleMs;
    const flat = await this.redis.zrangebyscore(this.indexKey, '-inf', threshold, 'WITHSCORES', 'LIMIT', 0, batchSize);
    let closed = 0;
    for (let index = 0; index + 1 < flat.length; index += 2) {
      const sessionId = flat[index]!;
      const score = Number(flat[index + 1]);
      try {
        if (await this.check(sessionId, score, threshold, now)) closed += 1;
      } catch (error) {
        const coded = asTableRoundError(error);
        // Ended or gone between the check and the request: the next pass drops it from the index.
        if (coded.code === 'session_ended' || coded.code === 'session_missing') continue;
        if (coded.code === 'rate_limited' || coded.code === 'redis_unavailable') {
          this.logger.warn({ err: coded, sessionId }, 'idle close: refused for now; the rest wait for the next interval');
          break;
        }
        this.logger.warn({ err: coded, sessionId }, 'idle close: could not close a session; trying again next interval');
      }
    }
    return closed;
  }

  /** Looks at one indexed session; true when it asked to close it. */
  private async check(sessionId: string, score: number, threshold: number, now: number): Promise<boolean> {
    const sessionKeys = [this.store.key('meta', sessionId), this.store.key('inbox', sessionId), ...sessionKeyTypes.map((type) => this.store.key(type, sessionId))];
    const [state, last] = (await checkScript.run(this.redis, sessionKeys, [threshold, this.options.ttlMs])) as [CheckState, string];
    switch (state) {
      case 'gone':
      case 'ended':
        await this.replaceIfUnchanged(sessionId, score, undefined);
        return false;
      case 'active':
        // Active after all (the index only says "at or before"): look again idleMs after its last commit.
        await this.replaceIfUnchanged(sessionId, score, Number(last));
        return false;
      case 'busy':
        // Work waits in its inbox (the sweeper's business): look again idleMs from now.
        await this.replaceIfUnchanged(sessionId, score, now);
        return false;
      case 'idle': {
        const idleSince = Number(last);
        await this.submitEnd(sessionId, idleCloser, { idleSince }, `idle-close:${idleSince}`);
        await this.replaceIfUnchanged(sessionId, score, now);
        this.logger.info({ sessionId, idleMinutes: Math.round((now - idleSince) / 60_000) }, 'idle close: session had no activity; ending it');
        return true;
      }
    }
  }

  private async replaceIfUnchanged(sessionId: string, score: number, next: number | undefined): Promise<void> {
    await replaceIfUnchangedScript.run(this.redis, [this.indexKey], [sessionId, score, next === undefined ? '' : next]);
  }
}
