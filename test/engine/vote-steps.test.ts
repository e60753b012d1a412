/**
 * The persona-ballot step with a model that never gives a usable ballot, step by step through the
 * real step machine on real Redis: no step fails, the abstentions are recorded, the last panel
 * ballot posts ONE notice naming them all — and a re-run of that step after a crash before its
 * commit neither posts it again nor asks the model again; the poll close does not repeat it.
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
import { createImageServices } from '../../src/app/image-services.ts';
import { stepKindRegistry } from '../../src/engine/step-kind.ts';
import { builtInSteps } from '../../src/engine/steps/built-in-steps.ts';
import { commandRegistry } from '../../src/command-core/command-contract.ts';
import { loadCommands } from '../../commands/load-commands.ts';
import type { PollState, SessionMeta } from '../../src/session/session-types.ts';
import { structuredOutcomeCounts } from '../../src/engine/structured-outcome.ts';

const redis = testRedis();
const prefix = uniqueName('ballots');
afterAll(async () => {
  await deleteKeys(redis, `${prefix}:`);
  redis.disconnect();
});

/** Fails the commit of one step once, like a process dying right after that step posted. */
class CrashOnceStore extends SessionStore {
  crashAtSeq = -1;
  override async commit(sessionId: string, expectSeq: number, commit: StepCommit) {
    if (expectSeq === this.crashAtSeq) {
      this.crashAtSeq = -1;
      throw new Error('simulated crash before the commit');
    }
    return super.commit(sessionId, expectSeq, commit);
  }
}

describe('persona ballots that are never usable', () => {
  it('are recorded, not failed, and announced once — also across a re-run of the announcing step', async () => {
    const fake = await startFakeOpenAI({
      chat: (request) => ((request.body as { response_format?: { json_schema?: { name?: string } } }).response_format?.json_schema?.name === 'ballot' ? { kind: 'json', value: { choices: [0, 14, 99] } } : roundtableReply(request)),
    });
    const config = configFrom({ REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: prefix, OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'k', MODEL_MAX_RETRIES: 0 });
    const logger = createLogger('silent');
    const store = new CrashOnceStore(redis, new RedisKeys(prefix), 1);
    const panels = loadPanels('prompts/panels');
    const panel = panels.get('product-strategy')!;
    const adapter = new RecordingAdapter();
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
    const sessionId = 'terminal:c:ballots';
    const now = Date.now();
    const meta: SessionMeta = {
      sessionId, topic: 'Ballots', panelId: panel.id, stage: 'voting', round: 1, autoRounds: 0, status: 'active', starter: person, createdAt: now, updatedAt: now,
      seq: 0, epoch: 0, revivals: 0, agenda: [...panel.personas.map((persona) => ({ kind: 'persona-ballot' as const, personaId: persona.id })), { kind: 'poll-close', by: person }],
      roleMap: {}, rollingSummary: '', summarisedThrough: 0, replyCursor: 0, votedKeywords: [], pollCount: 1, tokensPrompt: 0, tokensCompletion: 0, modelCalls: 0,
    };
    await store.create(meta);
    const poll: PollState = { pollId: 'p1', status: 'open', candidates: ['felt', 'wool', 'lamp shade', 'pattern'], openedAt: now };
    await redis.hset(store.key('poll', sessionId), 'state', JSON.stringify(poll));

    const last = panel.personas.length - 1;
    for (let seq = 0; seq < last; seq++) expect(await machine.process({ sessionId, seq, epoch: 0, skip: false }, { final: false })).toBe('ran');
    expect(adapter.posts).toHaveLength(0);

    // The last panel ballot announces everyone, then "crashes" before its commit, and runs again.
    store.crashAtSeq = last;
    await expect(machine.process({ sessionId, seq: last, epoch: 0, skip: false }, { final: false })).rejects.toThrow(/simulated crash/);
    expect(adapter.posts.filter((post) => /Not counted/.test(post.text))).toHaveLength(1);
    const callsBeforeRerun = fake.chatRequests().length;
    expect(await machine.process({ sessionId, seq: last, epoch: 0, skip: false }, { final: false })).toBe('ran');
    expect(fake.chatRequests()).toHaveLength(callsBeforeRerun);
    // The poll close does not announce them again.
    expect(await machine.process({ sessionId, seq: last + 1, epoch: 0, skip: false }, { final: false })).toBe('ran');

    const names = panel.personas.map((persona) => persona.displayName);
    const notices = adapter.posts.filter((post) => /Not counted/.test(post.text));
    expect(notices.map((post) => post.text)).toEqual([`⚠️ Not counted: ${names.slice(0, -1).join(', ')} and ${names.at(-1)} gave no usable ballot.`]);
    expect(adapter.posts.some((post) => /Skipped/.test(post.text))).toBe(false);
    expect(adapter.posts.at(-1)?.text).toMatch(/^\*\*Vote closed\.\*\* 0 voters/);
    // Two calls per persona: the answer and the gateway's one corrective retry.
    expect(fake.chatRequests()).toHaveLength(2 * panel.personas.length);
    const notes = await store.notes(sessionId);
    expect(structuredOutcomeCounts(notes).ballot?.skipped).toBe(panel.personas.length);
    for (const persona of panel.personas) expect(notes[`ballot-missing:p1:${persona.id}`]).toMatch(/invalid ballot JSON twice/);
    const transcript = await store.transcript(sessionId);
    expect(transcript.filter((entry) => /Not counted/.test(entry.text))).toHaveLength(1);
    await fake.close();
  });
});
