/**
 * A step that posted and then failed before its commit (a crash, a Redis blip) is run again:
 * the re-run neither posts twice nor asks the model again, and the transcript records exactly
 * what the thread shows.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { roundtableReply } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { deleteKeys, testRedis, testRedisUrl, uniqueName } from '../harness/redis.ts';
import { configFrom } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { SessionStore, type StepCommit } from '../../src/store/session-store.ts';
import { RedisKeys } from '../../src/store/keys.ts';
import { ModelGateway } from '../../src/models/model-gateway.ts';
import { Templates } from '../../src/prompts/render-template.ts';
import { loadPanels } from '../../src/panels/panel-loader.ts';
import { StepMachine } from '../../src/pipeline/step-machine.ts';
import { initialAgenda } from '../../src/engine/agenda.ts';
import { createImageServices } from '../../src/app/image-services.ts';
import { stepKindRegistry } from '../../src/engine/step-kind.ts';
import { builtInSteps } from '../../src/engine/steps/built-in-steps.ts';
import { commandRegistry } from '../../src/command-core/command-contract.ts';
import { loadCommands } from '../../commands/load-commands.ts';
import type { SessionMeta } from '../../src/session/session-types.ts';

const redis = testRedis();
const prefix = uniqueName('retry');
afterAll(async () => {
  await deleteKeys(redis, `${prefix}:`);
  redis.disconnect();
});

/** Fails the first commit it sees, like a process dying right after posting. */
class CrashOnceStore extends SessionStore {
  crashed = false;
  override async commit(sessionId: string, expectSeq: number, commit: StepCommit) {
    if (!this.crashed) {
      this.crashed = true;
      throw new Error('simulated crash before the commit');
    }
    return super.commit(sessionId, expectSeq, commit);
  }
}

describe('step re-run after a post', () => {
  it('reuses the posted text: one post, one model call, transcript equal to the post', async () => {
    const fake = await startFakeOpenAI({ chat: roundtableReply });
    const config = configFrom({ REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: prefix, OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'k' });
    const logger = createLogger('silent');
    const store = new CrashOnceStore(redis, new RedisKeys(prefix), 1);
    const panels = loadPanels('prompts/panels');
    const panel = panels.get('product-strategy')!;
    const adapter = new RecordingAdapter();
    const enqueued: number[] = [];
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
      { kick: async (_sessionId, seq) => void enqueued.push(seq), markPending: async () => undefined },
    );
    const person = { id: 'u', displayName: 'Ana' };
    const sessionId = 'terminal:c:retry';
    const now = Date.now();
    const meta: SessionMeta = {
      sessionId, topic: 'Retry', panelId: panel.id, stage: 'opening', round: 0, autoRounds: 0, status: 'active', starter: person, createdAt: now, updatedAt: now,
      seq: 0, epoch: 0, revivals: 0, agenda: initialAgenda(panel, 0, [], person).slice(1), roleMap: {}, rollingSummary: '', summarisedThrough: 0, replyCursor: 0, votedKeywords: [], pollCount: 0,
      tokensPrompt: 0, tokensCompletion: 0, modelCalls: 0,
    };
    await store.create(meta);

    await expect(machine.process({ sessionId, seq: 0, epoch: 0, skip: false }, { final: false })).rejects.toThrow(/simulated crash/);
    expect(adapter.posts).toHaveLength(1);
    expect(fake.chatRequests()).toHaveLength(1);

    expect(await machine.process({ sessionId, seq: 0, epoch: 0, skip: false }, { final: false })).toBe('ran');
    expect(adapter.posts).toHaveLength(1);
    expect(fake.chatRequests()).toHaveLength(1);
    const [entry] = await store.transcript(sessionId);
    expect(entry?.text).toBe(adapter.posts[0]!.text);
    expect(enqueued).toEqual([1]);
    await fake.close();
  });

  it('a step skipped after its worker kept dying stops the native stream that worker left open', async () => {
    const config = configFrom({ REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: prefix, OPENAI_BASE_URL: 'http://127.0.0.1:9', OPENAI_API_KEY: 'k' });
    const logger = createLogger('silent');
    const store = new SessionStore(redis, new RedisKeys(prefix), 1);
    const panels = loadPanels('prompts/panels');
    const panel = panels.get('product-strategy')!;
    const stopped: string[] = [];
    const adapter = Object.assign(new RecordingAdapter(), {
      streaming: {
        editIntervalMs: 0,
        firstPostDelayMs: 0,
        native: {
          start: async () => 'never',
          append: async () => true,
          stop: async (_sessionId: string, ref: string) => {
            stopped.push(ref);
            return 'stopped' as const;
          },
        },
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
    const sessionId = 'terminal:c:left-open';
    const now = Date.now();
    const persona = panel.personas[0]!;
    await store.create({
      sessionId, topic: 'Left open', panelId: panel.id, stage: 'opening', round: 0, autoRounds: 0, status: 'active', starter: person, createdAt: now, updatedAt: now,
      seq: 0, epoch: 2, revivals: 4, agenda: [{ kind: 'introduction', personaId: persona.id }], roleMap: {}, rollingSummary: '', summarisedThrough: 0, replyCursor: 0, votedKeywords: [], pollCount: 0,
      tokensPrompt: 0, tokensCompletion: 0, modelCalls: 0,
    });
    // What a worker killed mid-stream left: its stream's first post, recorded, never stopped.
    await redis.hset(store.key('outbox', sessionId), `0|intro:${persona.id}|0`, JSON.stringify({ ref: 'ts-123', stream: 'native', text: 'Hello' }));

    expect(await machine.process({ sessionId, seq: 0, epoch: 2, skip: true }, { final: false })).toBe('skipped');
    expect(stopped).toEqual(['ts-123']);
    expect(adapter.posts.at(-1)?.text).toMatch(/kept stopping the worker.*Skipped:/);
  });
});
