/**
 * The Redis round trips of one persona turn, counted client-side on the store's own connection
 * (a pipeline or a concurrent batch is one round trip), on the real engine with an instant model
 * and adapter: what a turn waits for before its model call and between the call and its post.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEngineRig, type EngineRig } from '../../bench/engine-rig.ts';
import { RoundTripRecorder } from '../../bench/round-trip-recorder.ts';
import { traceTurnShape } from '../../bench/turn-phases.ts';
import { clientAddress, commonestSignature, startCommandTrace, stepSignatures } from '../../bench/redis-command-trace.ts';
import { deleteKeys, testRedisUrl, uniqueName } from '../harness/redis.ts';

const prefix = uniqueName('turn-trips-');
let rig: EngineRig;
let recorder: RoundTripRecorder;

beforeAll(async () => {
  rig = await buildEngineRig({ redisUrl: testRedisUrl(), prefix, queueName: uniqueName('turn-trips') });
  recorder = new RoundTripRecorder(rig.redis);
  rig.startWorker(rig.config.WORKER_CONCURRENCY);
});

afterAll(async () => {
  await deleteKeys(rig.redis, prefix);
  await rig.stop();
});

describe('a persona turn’s round trips', () => {
  it('reads its session, claims its step and reads its context window in one command before its model call', async () => {
    const shape = await traceTurnShape(rig, recorder, 1, 2);
    expect(shape).toBeDefined();
    expect(shape!.byPhase.snapshot.map((trip) => trip.commands)).toEqual([['evalsha']]);
    expect(shape!.byPhase.context).toHaveLength(0);
  });

  it('shows in a MONITOR trace as steps that each start with the snapshot script, the store’s scripts named', async () => {
    const trace = await startCommandTrace(testRedisUrl());
    const sessionId = await rig.startSession(4, { rounds: 2 });
    await rig.drained(60_000);
    const steps = stepSignatures(await trace.stop(), await clientAddress(rig.redis));
    // Each step of this session (other tests' sessions are not running meanwhile).
    expect(steps.length).toBe((await rig.store.load(sessionId))!.seq);
    const turn = commonestSignature(steps)!.signature;
    expect(turn.sequence[0]).toBe('evalsha:snapshot');
    expect(turn.sequence).toContain('evalsha:commit');
    expect(turn.sequence).toContain('evalsha:usage');
    expect(turn.sequence).toContain('evalsha:fencedWrite');
  });

  it('does not wait for its token-use write before posting: the write rides in the post’s first round trip', async () => {
    const shape = await traceTurnShape(rig, recorder, 2, 2);
    expect(shape!.byPhase.model).toHaveLength(0);
    // Token use (session and starter) beside the post's first write.
    expect(shape!.byPhase.post[0]!.commands.length).toBeGreaterThanOrEqual(3);
    // And recorded by the time the session's steps are done: every model call's prompt tokens.
    const sessionId = await rig.startSession(3, { rounds: 1 });
    await rig.drained(60_000);
    const meta = await rig.store.load(sessionId);
    expect(meta?.modelCalls).toBeGreaterThan(0);
    expect(meta?.tokensPrompt).toBeGreaterThan(0);
  });
});
