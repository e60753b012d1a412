/**
 * Whole sessions through the Slack emulator while Redis refuses a command at every call site
 * of a step in turn (step n fails its ((n mod 40) + 1)-th command, on every attempt but the
 * last; see test/harness/redis-faults.ts). Every session completes; its thread shows exactly its
 * transcript — no duplicate chunk, no orphan, no open stream — and nothing waits without a job.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startE2E, type E2EHarness } from '../slack-e2e/slack-e2e-harness.ts';
import { FaultyStepMachine, injectStepFaults } from '../harness/redis-faults.ts';
import { auditThread, runScriptedSession, uniqueSpeech } from './slack-session-audit.ts';
import { PendingSessions } from '../../src/pipeline/pending-sessions.ts';
import { assertKeysBounded } from '../harness/key-hygiene.ts';

const sessions = 20;
const maxSite = 40;
const lockMs = 1_500;
const sweepMs = 500;

let harness: E2EHarness | undefined;
afterAll(async () => {
  await harness?.stop();
});

describe('Redis refusing a command at every call site of a step', () => {
  it(`${sessions} sessions complete with threads that match their transcripts`, { timeout: 240_000 }, async () => {
    let machine: FaultyStepMachine | undefined;
    harness = await startE2E({
      speech: uniqueSpeech,
      chunk: { size: 6, delayMs: 5 },
      env: { AUTO_ROUNDS: 1, STEP_RETRY_DELAY_MS: 50, WORKER_LOCK_MS: lockMs, SWEEPER_INTERVAL_MS: sweepMs, WORKER_CONCURRENCY: 16 },
      createMachine: (dependencies, hooks) => (machine = new FaultyStepMachine(dependencies, hooks, maxSite)),
    });
    const { emulator, app } = harness;
    const faults = injectStepFaults(app.redis);
    // Enqueueing has its own connection: its faults go to the same log.
    injectStepFaults(app.queueRedis, faults);
    const pending = new PendingSessions(app.redis, app.keys);
    let oldestPending = 0;
    const sampler = setInterval(() => {
      void pending.oldestAge().then((age) => (oldestPending = Math.max(oldestPending, age)), () => undefined);
    }, 200);

    const people = Array.from({ length: sessions }, (_, index) => emulator.addUser(`person${index}`));
    const results = await Promise.allSettled(people.map((person, index) => runScriptedSession(emulator, app.roundtable, harness!.sessionIdFor, person, index, 90_000)));
    clearInterval(sampler);
    const failures = results.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
    expect(failures).toEqual([]);

    for (const result of results) {
      if (result.status !== 'fulfilled') continue;
      auditThread(emulator, result.value, await app.store.transcript(result.value.sessionId));
    }
    // Every call site up to the longest step was hit, many times over.
    const sitesHit = new Set([...faults.sites].map((site) => Number(site.split(':')[0])));
    // Every site of the commonest step was failed at least once: its call count is that of the
    // attempts that ran to their end before their planned fault (a persona turn makes ~17).
    const counts = new Map<number, number>();
    for (const calls of machine!.unfaultedCalls) counts.set(calls, (counts.get(calls) ?? 0) + 1);
    const commonestCalls = [...counts].sort((left, right) => right[1] - left[1])[0]?.[0] ?? 0;
    console.log(`redis faults: ${faults.injected} injected at ${sitesHit.size} call sites, a commonest step making ${commonestCalls} calls (${[...new Set([...faults.sites].map((site) => site.split(':')[1]))].sort().join(', ')}); oldest pending ${oldestPending} ms`);
    expect(commonestCalls).toBeGreaterThan(10);
    expect(Array.from({ length: commonestCalls }, (_, index) => index + 1).filter((site) => !sitesHit.has(site))).toEqual([]);
    expect(faults.injected).toBeGreaterThan(150);
    expect(emulator.rateLimitHits).toEqual([]);
    // Nothing waited longer than the sweeper interval plus the lock time without a job.
    expect(oldestPending).toBeLessThan(lockMs + 2 * sweepMs + 1_500);
    await assertKeysBounded(app.redis, harness.prefix);
  });
});
