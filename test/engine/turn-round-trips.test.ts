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
    expect(turn.sequence).toContain('evalsha:fencedWrite');
    // A persona's token use is counted by the payload save of its answer, not by a script of its own.
    expect(turn.sequence).not.toContain('evalsha:usage');
  });

  it('does not wait for its token-use write before posting: the session’s count rides in the payload save, the starter’s beside it', async () => {
    const shape = await traceTurnShape(rig, recorder, 2, 2);
    expect(shape!.byPhase.model).toHaveLength(0);
    // The post's first round trip: the payload save (with the session's token use) and the starter's charge.
    expect(shape!.byPhase.post[0]!.commands).toEqual(['evalsha', 'evalsha']);
    // And recorded by the time the session's steps are done: every model call, per persona.
    const callsBefore = rig.model.calls;
    const sessionId = await rig.startSession(3, { rounds: 1 });
    await rig.drained(60_000);
    const meta = await rig.store.load(sessionId);
    expect(meta?.modelCalls).toBe(rig.model.calls - callsBefore);
    expect(meta?.tokensPrompt).toBeGreaterThan(0);
    const byPersona = (await rig.store.usageBySource(sessionId)).filter((line) => rig.panel.personas.some((persona) => persona.id === line.who));
    expect(byPersona.length).toBeGreaterThan(0);
    expect(byPersona.every((line) => line.calls > 0 && line.promptTokens > 0)).toBe(true);
    expect(await rig.store.userSpend('terminal', meta!.starter.id)).toBeGreaterThanOrEqual(meta!.tokensPrompt + meta!.tokensCompletion);
  });
});
