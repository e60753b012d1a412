/**
 * The poll-close step's result through the real step machine on real Redis: the chart as data to
 * an adapter that draws charts (series People and Panel, keywords most-voted first, no picture when
 * it shows) and the picture to one that does not, with an alt text that says every count in the
 * session's language; a re-run after a crash before the commit posts nothing again.
 */
import { afterAll, describe, expect, it } from 'vitest';
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
import type { ChartData, ChatAdapter, NativeCharts, PollView, SendRequest } from '../../src/adapter/chat-adapter.ts';
import type { Ballot, PollState, SessionMeta } from '../../src/session/session-types.ts';

const redis = testRedis();
const prefix = uniqueName('votechart');
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

/** Records what the step sends; `drawsCharts`: its platform draws charts (like Slack), else not (like Discord). */
class Recorder implements ChatAdapter {
  readonly platform = 'terminal' as const;
  readonly messageLimit = 100_000;
  readonly sent: SendRequest[] = [];
  readonly drawn: ChartData[] = [];
  readonly polls: PollView[] = [];
  readonly charts?: NativeCharts;

  constructor(drawsCharts: boolean) {
    if (drawsCharts) this.charts = { send: async (request, chart) => ({ ref: await this.send(request, chart), shown: true }), shown: async () => true };
  }
  render(text: string): string {
    return text;
  }
  async send(request: SendRequest, chart?: ChartData): Promise<string> {
    this.sent.push(request);
    if (chart) this.drawn.push(chart);
    return `m${this.sent.length}`;
  }
  async showPoll(poll: PollView, existingRef: string | undefined): Promise<string> {
    this.polls.push(poll);
    return existingRef ?? 'poll';
  }
}

async function closeAPoll(adapter: ChatAdapter, sessionId: string, language: string | undefined) {
  const config = configFrom({ REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: prefix, OPENAI_BASE_URL: 'http://127.0.0.1:9', OPENAI_API_KEY: 'k', MODEL_MAX_RETRIES: 0 });
  const logger = createLogger('silent');
  const store = new CrashOnceStore(redis, new RedisKeys(prefix), 1);
  const panels = loadPanels('prompts/panels');
  const panel = panels.get('product-strategy')!;
  const machine = new StepMachine(
    {
      config, logger, store, panels,
      models: new ModelGateway(config, undefined, logger),
      templates: new Templates('prompts/templates'),
      adapterFor: () => adapter,
      identityOf: async (persona) => ({ id: persona.id, displayName: persona.displayName }),
      images: createImageServices(config),
      steps: stepKindRegistry(builtInSteps),
      commands: commandRegistry(await loadCommands()),
    },
    { kick: async () => undefined, markPending: async () => undefined },
  );
  const person = { id: 'u', displayName: 'Ana' };
  const now = Date.now();
  const meta: SessionMeta = {
    sessionId, topic: 'Lamps', panelId: panel.id, stage: 'voting', round: 1, autoRounds: 0, status: 'active', starter: person, createdAt: now, updatedAt: now,
    seq: 0, epoch: 0, revivals: 0, agenda: [{ kind: 'poll-close', by: person }], ...(language ? { language } : {}),
    roleMap: {}, rollingSummary: '', summarisedThrough: 0, replyCursor: 0, votedKeywords: [], pollCount: 1, tokensPrompt: 0, tokensCompletion: 0, modelCalls: 0,
  };
  await store.create(meta);
  const poll: PollState = { pollId: 'p1', status: 'open', candidates: ['felt', 'wool', 'lamp shade'], openedAt: now };
  await redis.hset(store.key('poll', sessionId), 'state', JSON.stringify(poll));
  const ballots: Record<string, Ballot> = {
    'person:a': { voterKind: 'person', voterName: 'A', choices: [1] },
    'person:b': { voterKind: 'person', voterName: 'B', choices: [1, 2] },
    'persona:x': { voterKind: 'persona', voterName: 'X', choices: [0, 1] },
  };
  for (const [voter, ballot] of Object.entries(ballots)) await redis.hset(store.key('ballots', sessionId), voter, JSON.stringify(ballot));
  // The step posts, then "crashes" before its commit, and runs again.
  store.crashAtSeq = 0;
  await expect(machine.process({ sessionId, seq: 0, epoch: 0, skip: false }, { final: false })).rejects.toThrow(/simulated crash/);
  expect(await machine.process({ sessionId, seq: 0, epoch: 0, skip: false }, { final: false })).toBe('ran');
}

describe('the vote result and its chart', () => {
  it('goes as data to a platform that draws charts: no picture, and nothing twice after a re-run', async () => {
    const adapter = new Recorder(true);
    await closeAPoll(adapter, 'terminal:c:charted', undefined);
    expect(adapter.sent).toHaveLength(1);
    expect(adapter.sent[0]?.text).toMatch(/^\*\*Vote closed\.\*\* 3 voters; a keyword needed 2\. Chosen: \*\*wool\*\*\.\nwool: 3 \(panel 1, people 2\)/);
    expect(adapter.sent[0]?.files).toBeUndefined();
    expect(adapter.drawn).toEqual([
      {
        title: 'Votes per keyword',
        categories: ['wool', 'felt', 'lamp shade'],
        series: [
          { name: 'People', values: [2, 0, 1] },
          { name: 'Panel', values: [1, 1, 0] },
        ],
        axisLabels: { category: 'Keyword', value: 'Votes' },
      },
    ]);
    // The poll's own message shows which keyword was chosen.
    expect(adapter.polls.at(-1)?.candidates.map((candidate) => [candidate.label, candidate.passed])).toEqual([['felt', false], ['wool', true], ['lamp shade', false]]);
  });

  it('goes as a picture elsewhere, its alt text saying every count in the session’s language', async () => {
    const adapter = new Recorder(false);
    await closeAPoll(adapter, 'terminal:c:pictured', 'zh');
    expect(adapter.sent).toHaveLength(1);
    expect(adapter.sent[0]?.text).toMatch(/^\*\*投票结束。\*\*/);
    expect(adapter.sent[0]?.files?.map((file) => [file.filename, file.contentType, file.description])).toEqual([
      ['vote-p1.png', 'image/png', '各关键词得票——wool：参与者 2 票，嘉宾 1 票；felt：参与者 0 票，嘉宾 1 票；lamp shade：参与者 1 票，嘉宾 0 票'],
    ]);
    expect(adapter.sent[0]?.files?.[0]?.bytes.subarray(1, 4).toString()).toBe('PNG');
  });
});
