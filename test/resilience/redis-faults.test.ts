/**
 * Whole sessions through the Slack emulator while Redis refuses a command at every call site
 * of every kind of step, in turn: each non-final attempt of a step fails one of its Redis calls,
 * chosen per step kind so that every site of every kind is failed (see
 * test/harness/redis-faults.ts; the final attempt runs clean). Every session completes; its
 * thread shows exactly its transcript — no duplicate chunk, no orphan, no open stream, one poll
 * message per poll — and no session had pending work without a live job for longer than the
 * sweeper interval plus the lock time (test/harness/job-gap-sampler.ts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startE2E, type E2EHarness } from '../slack-e2e/slack-e2e-harness.ts';
import { FaultyStepMachine, injectStepFaults } from '../harness/redis-faults.ts';
import { auditThread, describeLiveness, runScriptedSession, uniqueSpeech, type ScriptedSession } from './slack-session-audit.ts';
import { jobGapBoundMs, startJobGapSampler } from '../harness/job-gap-sampler.ts';
import { assertKeysBounded } from '../harness/key-hygiene.ts';

/**
 * Enough sessions for the kinds that run once a session (opening, round-start, pause, poll-open,
 * poll-close, closing): the closing makes ~43 Redis calls, and a closing job fails one in each of
 * its two non-final attempts at most (~1.75 a session: a fault that the step survives leaves no
 * second attempt), after two clean calibration runs.
 */
const sessions = 40;
/** A session starts every `arrivalMs`: kinds that come once a session are not all running at once (the first ones calibrate). */
const arrivalMs = 700;
/** Clean first runs of a kind before its sites are failed; a kind with fewer is not judged. */
const calibration = 2;
const maxSite = 80;
const lockMs = 1_500;
const sweepMs = 500;

let harness: E2EHarness | undefined;
afterAll(async () => {
  await harness?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Redis refusing a command at every call site of every kind of step', () => {
  it(`${sessions} sessions complete with threads that match their transcripts`, { timeout: 300_000 }, async () => {
    let machine: FaultyStepMachine | undefined;
    harness = await startE2E({
      speech: uniqueSpeech,
      chunk: { size: 6, delayMs: 5 },
      env: { AUTO_ROUNDS: 1, STEP_RETRY_DELAY_MS: 50, WORKER_LOCK_MS: lockMs, SWEEPER_INTERVAL_MS: sweepMs, WORKER_CONCURRENCY: 16 },
      createMachine: (dependencies, hooks) => (machine = new FaultyStepMachine(dependencies, hooks, { calibration, maxSite })),
    });
    const { emulator, app } = harness;
    const faults = injectStepFaults(app.redis);
    // Enqueueing has its own connection: its faults go to the same log.
    injectStepFaults(app.queueRedis, faults);
    const gaps = startJobGapSampler(app);

    const started = Date.now();
    const runs: Promise<ScriptedSession>[] = [];
    for (let index = 0; index < sessions; index += 1) {
      runs.push(runScriptedSession(emulator, app.roundtable, harness.sessionIdFor, emulator.addUser(`person${index}`), index, 120_000, async (sessionId) => ({ ...(await describeLiveness(app, sessionId)), attempts: machine?.attemptsOf(sessionId) })));
      await sleep(arrivalMs);
    }
    const results = await Promise.allSettled(runs);
    const gapReport = await gaps.stop();
    const failures = results.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
    if (failures.length) console.log(`redis faults: ${failures.length} sessions did not settle; longest time a session had work and no live job: ${gapReport.longestMs} ms (${gapReport.longestSession ?? 'none'}: ${gapReport.longestState ?? '-'})`);
    expect(failures).toEqual([]);

    for (const result of results) {
      if (result.status !== 'fulfilled') continue;
      auditThread(emulator, result.value, await app.store.transcript(result.value.sessionId));
    }
    const coverage = machine!.coverage(calibration);
    console.log(
      `redis faults: ${faults.injected} injected in ${sessions} sessions (${Math.round((Date.now() - started) / 1000)} s); per step kind, sites failed / sites of a clean run (clean runs, faults, attempts):\n` +
        coverage.map((kind) => `  ${kind.kind}: ${kind.failed.length}/${kind.sites} (${kind.cleanRuns}, ${kind.faults}, ${kind.attempts})${kind.missing.length ? ` — never failed: ${kind.missing.join(', ')}` : ''}`).join('\n') +
        `\nlongest time a session had work and no live job: ${gapReport.longestMs} ms (${gapReport.longestSession ?? 'none'}: ${gapReport.longestState ?? '-'}; ${gapReport.samples} samples, ${gapReport.withoutJobSightings} sightings without a job, ${gapReport.sessionsWithWork} sessions with work)`,
    );
    // Every kind the scripted sessions run was seen (the speech kinds, the vote, the end), and
    // every call site 1…N of each of them — N counted from its clean first runs — failed at least once.
    const judged = coverage.map((kind) => kind.kind);
    expect(judged).toEqual(expect.arrayContaining(['opening', 'introduction', 'turn', 'pause', 'keywords', 'poll-open', 'persona-ballot', 'poll-close', 'closing']));
    for (const kind of coverage) {
      expect(kind.sites, `${kind.kind}: Redis calls of a clean run`).toBeGreaterThan(5);
      expect(kind.missing, `${kind.kind}: call sites never failed (of ${kind.sites})`).toEqual([]);
    }
    expect(faults.injected).toBeGreaterThan(150);
    expect(emulator.rateLimitHits).toEqual([]);
    // Nothing waited longer than the sweeper interval plus the lock time without a job.
    expect(gapReport.sessionsWithWork).toBeGreaterThanOrEqual(sessions);
    expect(gapReport.longestMs, `longest gap: ${gapReport.longestSession} in ${gapReport.longestState}`).toBeLessThan(jobGapBoundMs({ lockMs, sweepMs }));
    await assertKeysBounded(app.redis, harness.prefix);
  });
});
