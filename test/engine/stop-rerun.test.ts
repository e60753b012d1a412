/**
 * A crash after a `/stop`: the worker that ran the stopped turn died before its commit, leaving
 * its streamed message in the step outbox and the stop in the inbox. The re-run (another worker)
 * finishes that message as it stood — "(stopped)", by an edit, never a second post — without
 * asking the model again, records it in the transcript, and posts the stop notice once; a
 * duplicated job afterwards changes nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { deleteKeys, testRedis, testRedisUrl, uniqueName } from '../harness/redis.ts';
import { configFrom } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { SessionStore } from '../../src/store/session-store.ts';
import { RedisKeys } from '../../src/store/keys.ts';
import { ModelGateway } from '../../src/models/model-gateway.ts';
import { Templates } from '../../src/prompts/render-template.ts';
import { loadPanels } from '../../src/panels/panel-loader.ts';
import { StepMachine } from '../../src/pipeline/step-machine.ts';
import { createImageServices } from '../../src/app/image-services.ts';
import { stepKindRegistry } from '../../src/engine/step-kind.ts';
import { builtInSteps } from '../../src/engine/steps/built-in-steps.ts';
import { commandRegistry } from '../../src/command-core/command-contract.ts';
import { loadCommands } from '../../commands/load-commands.ts';
import type { EditRequest } from '../../src/adapter/chat-adapter.ts';
import type { InboxEvent } from '../../src/adapter/inbound-event.ts';
import type { SessionMeta } from '../../src/session/session-types.ts';

const redis = testRedis();
const prefix = uniqueName('stoprerun');
afterAll(async () => {
  await deleteKeys(redis, `${prefix}:`);
  redis.disconnect();
});

async function rig(thread: string) {
  // No model is reachable: a re-run that called one would fail the test.
  const config = configFrom({ REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: prefix, OPENAI_BASE_URL: 'http://127.0.0.1:9', OPENAI_API_KEY: 'k', MODEL_MAX_RETRIES: 0 });
  const logger = createLogger('silent');
  const store = new SessionStore(redis, new RedisKeys(prefix), 1);
  const panels = loadPanels('prompts/panels');
  const panel = panels.get('design-workshop')!;
  const edits: EditRequest[] = [];
  const adapter = Object.assign(new RecordingAdapter(), {
    streaming: { editIntervalMs: 0, firstPostDelayMs: 0 },
    edit: async (request: EditRequest) => {
      edits.push(request);
      return true;
    },
  });
  const machine = new StepMachine(
    {
      config,
      logger,
      store,
      models: new ModelGateway(config, undefined, logger),
      templates: new Templates('prompts/templates'),
      panels,
      adapterFor: () => adapter,
      identityOf: async (persona) => ({ id: persona.id, displayName: persona.displayName }),
      images: createImageServices(config),
      steps: stepKindRegistry(builtInSteps),
      commands: commandRegistry(await loadCommands()),
    },
    { kick: async () => undefined, markPending: async () => undefined },
  );
  const person = { id: 'u', displayName: 'Ana' };
  const sessionId = `terminal:c:${thread}`;
  const now = Date.now();
  const round = panel.personas.map((persona) => ({ kind: 'turn' as const, personaId: persona.id, round: 1, reason: 'round' as const }));
  const meta: SessionMeta = {
    sessionId, topic: 'Stopped, then crashed', panelId: panel.id, stage: 'discussion', round: 1, autoRounds: 1, status: 'active', starter: person, createdAt: now, updatedAt: now,
    seq: 3, epoch: 0, revivals: 0, agenda: [...round, { kind: 'pause' }], roleMap: {}, rollingSummary: '', summarisedThrough: 0, replyCursor: 0, votedKeywords: [], pollCount: 0,
    tokensPrompt: 0, tokensCompletion: 0, modelCalls: 0,
  };
  await store.create(meta);
  // What the crashed worker left: the stop (inbox event and marker, as requestStop writes them) …
  const stop: InboxEvent = { eventId: 'stop-1', person, receivedAt: now, action: { type: 'command', name: 'stop', options: {} } };
  expect(await store.requestStop(sessionId, stop)).toEqual({ kind: 'stopping', seq: 3 });
  return { store, machine, adapter, edits, sessionId, persona: panel.personas[0]! };
}

describe('a crash after /stop', () => {
  it('the re-run finishes the stopped message with the text recorded when the stop began', async () => {
    const { store, machine, adapter, edits, sessionId, persona } = await rig('recorded');
    // … and its stream's message, recorded as being finished "(stopped)" when the worker died.
    const finishedAs = 'Felt keeps the light warm, and\n\n_(stopped)_';
    await redis.hset(store.key('outbox', sessionId), `3|turn:${persona.id}:1:round|0`, JSON.stringify({ ref: 'm41', stream: 'edit', text: 'Felt keeps the light warm, and', personaId: persona.id, finishedAs }));

    expect(await machine.process({ sessionId, seq: 3, epoch: 0, skip: false }, { final: false })).toBe('ran');
    expect(edits.map((edit) => ({ ref: edit.ref, text: edit.text }))).toEqual([{ ref: 'm41', text: finishedAs }]);
    expect(adapter.posts.map((post) => post.speaker)).toEqual(['moderator']);
    expect(adapter.posts[0]!.text).toMatch(/^⏹ Ana stopped the panel\./);
    const transcript = await store.transcript(sessionId);
    expect(transcript.map((entry) => [entry.speakerName, entry.text])).toEqual([
      [persona.displayName, 'Felt keeps the light warm, and (stopped)'],
      ['Moderator', adapter.posts[0]!.text],
    ]);
    const meta = await store.load(sessionId);
    expect(meta?.agenda).toEqual([]);
    expect(meta?.seq).toBe(4);
    expect(await redis.exists(store.key('outbox', sessionId))).toBe(0);

    // A duplicated job of the same step is stale: nothing is posted or edited again.
    expect(await machine.process({ sessionId, seq: 3, epoch: 0, skip: false }, { final: false })).toBe('stale');
    expect(adapter.posts).toHaveLength(1);
    expect(edits).toHaveLength(1);
  });

  it('the re-run finishes a message the stop never reached with the text the outbox knows', async () => {
    const { store, machine, adapter, edits, sessionId, persona } = await rig('unrecorded');
    await redis.hset(store.key('outbox', sessionId), `3|turn:${persona.id}:1:round|0`, JSON.stringify({ ref: 'm42', stream: 'edit', text: 'Felt is', personaId: persona.id }));

    expect(await machine.process({ sessionId, seq: 3, epoch: 0, skip: false }, { final: false })).toBe('ran');
    expect(edits.map((edit) => ({ ref: edit.ref, text: edit.text }))).toEqual([{ ref: 'm42', text: 'Felt is\n\n_(stopped)_' }]);
    expect(adapter.posts.map((post) => post.speaker)).toEqual(['moderator']);
    expect((await store.transcript(sessionId))[0]?.text).toBe('Felt is (stopped)');
  });
});
