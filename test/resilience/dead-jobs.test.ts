/**
 * Liveness with real BullMQ: a step job that failed for good (or vanished) never silences its
 * session. The sweeper re-kicks a session whose job is missing and revives one whose job failed
 * (a new epoch, so the dead id does not absorb the add); a person's message revives it at once;
 * a step revived too often is skipped with a notice and the session goes on.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { UnrecoverableError, Worker, type ConnectionOptions } from 'bullmq';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { roundtableReply } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import { testRedis, uniqueName } from '../harness/redis.ts';
import { panelsDir } from '../slack-e2e/slack-e2e-harness.ts';
import type { RunningApp } from '../../src/app/start-app.ts';
import { PendingSessions } from '../../src/pipeline/pending-sessions.ts';
import { RedisKeys } from '../../src/store/keys.ts';

const prefix = uniqueName('dead');
const heldPrefix = uniqueName('held');
const queueName = uniqueName('q');
const apps: RunningApp[] = [];
let fake: FakeOpenAI | undefined;
afterAll(async () => {
  for (const app of apps) await app.stop();
  await fake?.close();
  await cleanupRedis(prefix);
  await cleanupRedis(heldPrefix);
});

/**
 * Takes the next job and dies holding it: the job stays `active` and its lock stops being
 * renewed (a SIGKILLed worker). Its stall check is set far off, so BullMQ does not hand it back.
 */
async function dieHoldingNextJob(queue: string, queuePrefix: string, lockMs: number): Promise<string> {
  const connection = testRedis();
  let taken: string | undefined;
  const worker = new Worker(
    queue,
    async (job) => {
      taken = job.id;
      await new Promise(() => undefined);
    },
    { connection: connection as unknown as ConnectionOptions, prefix: new RedisKeys(queuePrefix).queuePrefix(), concurrency: 1, lockDuration: lockMs, stalledInterval: 600_000 },
  );
  await waitFor(() => taken !== undefined, 'a job to be taken');
  await worker.close(true);
  connection.disconnect();
  return taken!;
}

/** Fails every job it takes for good (as a job that used up its attempts or stalled out ends). */
async function failNextJobs(count: number): Promise<void> {
  const connection = testRedis();
  let failed = 0;
  const worker = new Worker(
    queueName,
    async () => {
      failed += 1;
      throw new UnrecoverableError('simulated final failure');
    },
    { connection: connection as unknown as ConnectionOptions, prefix: new RedisKeys(prefix).queuePrefix(), concurrency: 1 },
  );
  await waitFor(() => failed >= count, 'the jobs to fail');
  await worker.close();
  connection.disconnect();
}

describe('dead step jobs', () => {
  it('are revived by the sweeper, by a person writing, and skipped with a notice when they keep dying', { timeout: 90_000 }, async () => {
    fake = await startFakeOpenAI({ chat: roundtableReply });
    const adapter = new RecordingAdapter();
    const env = { PANELS_DIR: panelsDir, DEFAULT_PANEL: 'duo', AUTO_ROUNDS: 0, WORKER_LOCK_MS: 1_000, SWEEPER_INTERVAL_MS: 300, STEP_MAX_REVIVALS: 1 };
    const gateway = await startTestApp({ modelUrl: fake.url, adapters: [adapter], prefix, queueName, env: { ...env, ROLE: 'gateway' } });
    apps.push(gateway);
    const person = { id: 'p', displayName: 'Pia' };

    // 1. The opening's job fails for good; the sweeper revives it.
    const first = (await gateway.roundtable.start({ address: { platform: 'terminal', channel: 'dead', thread: 'one' }, person, topic: 'A sweeper test' })).sessionId;
    await failNextJobs(1);
    expect((await gateway.queue.queue.getJobCounts('failed')).failed).toBe(1);
    const worker = await startTestApp({ modelUrl: fake.url, adapters: [adapter], prefix, queueName, env: { ...env, ROLE: 'worker' } });
    apps.push(worker);
    await waitFor(async () => !(await gateway.roundtable.isBusy(first)), 'the revived session to run its plan', 30_000);
    expect(adapter.postsOf(first).filter((post) => post.speaker !== 'moderator')).toHaveLength(2);
    expect((await gateway.store.load(first))?.epoch).toBe(1);

    // 2. A session whose first job was never added (the process died between creating the
    //    session and kicking it) is kicked by the sweeper.
    const second = 'terminal:dead:two';
    const panel = gateway.roundtable.panels().find((candidate) => candidate.id === 'duo')!;
    const now = Date.now();
    await new PendingSessions(gateway.redis, gateway.keys).mark(second);
    await gateway.store.create({
      sessionId: second, topic: 'A lost kick', panelId: panel.id, stage: 'opening', round: 0, autoRounds: 0, status: 'active', starter: person, createdAt: now, updatedAt: now,
      seq: 0, epoch: 0, revivals: 0, agenda: [{ kind: 'opening' }, { kind: 'introduction', personaId: 'maker' }, { kind: 'introduction', personaId: 'designer' }],
      roleMap: {}, rollingSummary: '', summarisedThrough: 0, replyCursor: 0, votedKeywords: [], pollCount: 0, tokensPrompt: 0, tokensCompletion: 0, modelCalls: 0,
    });
    await waitFor(async () => !(await gateway.roundtable.isBusy(second)), 'the swept session to run', 30_000);
    expect(adapter.postsOf(second).filter((post) => post.speaker !== 'moderator')).toHaveLength(2);

    // 3. A person writing to a session whose job died revives it at once (no sweep needed).
    await worker.stop();
    await gateway.roundtable.submit(first, person, { type: 'message', text: 'Still there?', images: [] });
    await failNextJobs(1);
    const before = (await gateway.store.load(first))!.epoch;
    await gateway.roundtable.submit(first, person, { type: 'message', text: 'Hello again?', images: [] });
    expect((await gateway.store.load(first))!.epoch).toBe(before + 1);

    // 4. Revived more than STEP_MAX_REVIVALS times: skipped with a notice; the session goes on.
    await failNextJobs(1);
    await gateway.liveness.ensure(first);
    apps.push(await startTestApp({ modelUrl: fake.url, adapters: [adapter], prefix, queueName, env: { ...env, ROLE: 'worker' } }));
    await waitFor(async () => !(await gateway.roundtable.isBusy(first)), 'the skip', 30_000);
    expect(adapter.postsOf(first).some((post) => post.speaker === 'moderator' && /kept stopping the worker/.test(post.text))).toBe(true);
    // The session goes on: the next message is answered by a persona.
    await gateway.roundtable.submit(first, person, { type: 'message', text: 'One more thought?', images: [] });
    await waitFor(async () => !(await gateway.roundtable.isBusy(first)), 'the answer', 30_000);
    expect(adapter.postsOf(first).at(-1)?.speaker).not.toBe('moderator');
  });
});

describe('a running step whose worker died', () => {
  it('is revived as soon as its lock lapses, not after BullMQ’s stall checks', { timeout: 60_000 }, async () => {
    fake ??= await startFakeOpenAI({ chat: roundtableReply });
    const adapter = new RecordingAdapter();
    const lockMs = 800;
    // A prefix and queue of their own: the workers of the test above are still running, and their
    // sweepers would take this session's pending work into their own queue.
    const heldQueue = uniqueName('held');
    const env = { PANELS_DIR: panelsDir, DEFAULT_PANEL: 'duo', AUTO_ROUNDS: 0, WORKER_LOCK_MS: lockMs, SWEEPER_INTERVAL_MS: 300, STEP_MAX_REVIVALS: 3 };
    const gateway = await startTestApp({ modelUrl: fake.url, adapters: [adapter], prefix: heldPrefix, queueName: heldQueue, env: { ...env, ROLE: 'gateway' } });
    apps.push(gateway);
    const sessionId = (await gateway.roundtable.start({ address: { platform: 'terminal', channel: 'dead', thread: 'held' }, person: { id: 'p', displayName: 'Pia' }, topic: 'A worker dies mid-step' })).sessionId;
    const jobId = await dieHoldingNextJob(heldQueue, heldPrefix, lockMs);
    const work = await gateway.store.pendingWork(sessionId);
    // While the lock holds, the job is alive (its worker may only be slow).
    expect(await gateway.queue.jobState(sessionId, work.seq, work.epoch)).toBe('active');
    expect(await gateway.liveness.ensure(sessionId)).toBe('alive');
    await new Promise((resolve) => setTimeout(resolve, lockMs + 200));
    expect(await gateway.queue.queue.getJobState(jobId)).toBe('active');
    expect(await gateway.queue.jobState(sessionId, work.seq, work.epoch)).toBe('abandoned');
    expect(await gateway.liveness.ensure(sessionId)).toBe('revived');
    expect(await gateway.queue.jobState(sessionId, work.seq, work.epoch + 1)).toBe('waiting');
    // A worker runs the revived job; the session's plan completes.
    apps.push(await startTestApp({ modelUrl: fake.url, adapters: [adapter], prefix: heldPrefix, queueName: heldQueue, env: { ...env, ROLE: 'worker' } }));
    await waitFor(async () => !(await gateway.roundtable.isBusy(sessionId)), 'the revived session to run its plan', 30_000);
expect(adapter.postsOf(sessionId).filter((post) => post.speaker !== 'moderator')).toHaveLength(2);
  });
});

describe('a job kicked under an epoch a revival has since raised', () => {
  it('hands over to the session’s own step at once, without waiting for a sweep', { timeout: 60_000 }, async () => {
    fake ??= await startFakeOpenAI({ chat: roundtableReply });
    const adapter = new RecordingAdapter();
    // No sweep within the test: only the stale job's own hand-over can move the session on.
    const env = { PANELS_DIR: panelsDir, DEFAULT_PANEL: 'duo', AUTO_ROUNDS: 0, WORKER_LOCK_MS: 30_000, SWEEPER_INTERVAL_MS: 60_000 };
    const epochPrefix = uniqueName('epoch');
    const epochQueue = uniqueName('epoch');
    const gateway = await startTestApp({ modelUrl: fake.url, adapters: [adapter], prefix: epochPrefix, queueName: epochQueue, env: { ...env, ROLE: 'gateway' } });
    apps.push(gateway);
    const sessionId = (await gateway.roundtable.start({ address: { platform: 'terminal', channel: 'dead', thread: 'epoch' }, person: { id: 'p', displayName: 'Pia' }, topic: 'An epoch moved on' })).sessionId;
    // The opening's job (epoch 0) waits; meanwhile the session's epoch is raised, as a revival does
    // while an old runner is still about to kick under the epoch it read.
    await gateway.redis.hincrby(gateway.keys.session('meta', sessionId), 'epoch', 1);
    apps.push(await startTestApp({ modelUrl: fake.url, adapters: [adapter], prefix: epochPrefix, queueName: epochQueue, env: { ...env, ROLE: 'worker' } }));
    await waitFor(async () => !(await gateway.roundtable.isBusy(sessionId)), 'the session to run its plan under the new epoch', 10_000);
    expect(adapter.postsOf(sessionId).filter((post) => post.speaker !== 'moderator')).toHaveLength(2);
    await cleanupRedis(epochPrefix);
  });
});
