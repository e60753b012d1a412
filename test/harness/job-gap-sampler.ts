/**
 * The liveness bound of the crash and fault tests, measured from outside: the longest time any
 * session had pending work (steps planned or events waiting) and no live job for its current
 * step. Every `intervalMs` it reads each session stored under the app's prefix (a SCAN of the
 * session meta keys, plus the pending index — not only the index: a session that fell out of it
 * with work left is exactly the stuck one), the session's `pendingWork`, and the current step's
 * job state; `isLiveJobState` decides, so any non-live state the queue reports (missing, failed,
 * completed without a commit, `abandoned`: active with its lock lapsed) counts as no job.
 *
 * Why not the pending index's oldest age: the sweeper moves the entry of a session whose job
 * *looks* live to now on every sweep, so that age stays small even for a session stuck forever.
 *
 * A gap is the time between the first and the last consecutive sample that saw the session
 * without a job (one sample alone is 0 ms: a job that just finished and the next not yet added).
 * A state read is confirmed by reading the work again: a step that moved on (seq or epoch
 * changed) between the two reads is progress, not a gap. A sample whose reads fail neither starts
 * nor ends a gap.
 */
import type { RunningApp } from '../../src/app/start-app.ts';
import { isLiveJobState } from '../../src/pipeline/step-queue.ts';
import { PendingSessions } from '../../src/pipeline/pending-sessions.ts';

/**
 * Slack for the sampling itself, on top of the bound the bot promises (sweeper interval plus
 * lock time): samples every 200 ms, and a sampler in a process starved of CPU while workers
 * boot (the kill test) sees a gap late and its end late.
 */
export const samplingSlackMs = 1_500;

/** What the tests assert: no session waits longer than the sweeper interval plus the lock time (plus sampling slack). */
export function jobGapBoundMs(options: { lockMs: number; sweepMs: number }): number {
  return options.lockMs + options.sweepMs + samplingSlackMs;
}

export interface JobGapReport {
  /** The longest gap seen (ms), and in which session and state. */
  longestMs: number;
  longestSession: string | undefined;
  longestState: string | undefined;
  /** Samples taken, sessions seen with pending work at least once, samples that saw a session without a job. */
  samples: number;
  sessionsWithWork: number;
  withoutJobSightings: number;
}

export interface JobGapSampler {
  /** Stops sampling (after the sample in progress) and reports. */
  stop(): Promise<JobGapReport>;
}

type SampledApp = Pick<RunningApp, 'redis' | 'keys' | 'store' | 'queue'>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Session ids stored under the app's prefix: every session meta key, and every pending-index entry. */
async function storedSessions(app: SampledApp, pending: PendingSessions): Promise<Set<string>> {
  const sessions = new Set<string>();
  const pattern = app.keys.session('meta', '*');
  const [head, tail] = pattern.split('*') as [string, string];
  let cursor = '0';
  do {
    const [next, keys] = await app.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1_000);
    cursor = next;
    for (const key of keys) if (key.startsWith(head) && key.endsWith(tail)) sessions.add(key.slice(head.length, key.length - tail.length));
  } while (cursor !== '0');
  for (const { sessionId } of await pending.due(Number.MAX_SAFE_INTEGER, 10_000)) sessions.add(sessionId);
  return sessions;
}

type Observation = { kind: 'without-job'; state: string } | { kind: 'live' } | { kind: 'no-work' } | { kind: 'unread' };

async function observe(app: SampledApp, sessionId: string): Promise<Observation> {
  try {
    const work = await app.store.pendingWork(sessionId);
    if (!work.exists || (work.steps === 0 && work.events === 0)) return { kind: 'no-work' };
    const state = await app.queue.jobState(sessionId, work.seq, work.epoch);
    if (isLiveJobState(state)) return { kind: 'live' };
    const again = await app.store.pendingWork(sessionId);
    // The step committed (or was revived) between the reads: progress, not a gap.
    if (again.seq !== work.seq || again.epoch !== work.epoch || (again.steps === 0 && again.events === 0)) return { kind: 'live' };
    return { kind: 'without-job', state: `${state} (seq ${work.seq}, epoch ${work.epoch})` };
  } catch {
    return { kind: 'unread' };
  }
}

/** Starts sampling `app`'s sessions every `intervalMs` until `stop`. */
export function startJobGapSampler(app: SampledApp, options: { intervalMs?: number } = {}): JobGapSampler {
  const intervalMs = options.intervalMs ?? 200;
  const pending = new PendingSessions(app.redis, app.keys);
  const report: JobGapReport = { longestMs: 0, longestSession: undefined, longestState: undefined, samples: 0, sessionsWithWork: 0, withoutJobSightings: 0 };
  const withWork = new Set<string>();
  const withoutJobSince = new Map<string, number>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const sessions = await storedSessions(app, pending).catch(() => undefined);
      if (sessions) {
        report.samples += 1;
        for (const sessionId of sessions) {
          const now = Date.now();
          const seen = await observe(app, sessionId);
          if (seen.kind === 'unread') continue;
          if (seen.kind !== 'no-work') withWork.add(sessionId);
          if (seen.kind !== 'without-job') {
            withoutJobSince.delete(sessionId);
            continue;
          }
          report.withoutJobSightings += 1;
          const since = withoutJobSince.get(sessionId) ?? now;
          withoutJobSince.set(sessionId, since);
          if (now - since > report.longestMs) Object.assign(report, { longestMs: now - since, longestSession: sessionId, longestState: seen.state });
        }
        // A session whose keys are gone has no gap left.
        for (const sessionId of withoutJobSince.keys()) if (!sessions.has(sessionId)) withoutJobSince.delete(sessionId);
      }
      await sleep(intervalMs);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { ...report, sessionsWithWork: withWork.size };
    },
  };
}
