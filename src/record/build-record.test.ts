import { describe, expect, it } from 'vitest';
import type { Panel } from '../panels/panel-schema.ts';
import type { SessionMeta } from '../session/session-types.ts';
import { buildSessionRecord, parseModelPrices, type RecordInputs } from './build-record.ts';
import { sessionRecordSchema } from './session-record.ts';

const panel = {
  id: 'duo',
  name: 'Duo',
  personas: [
    { id: 'ada', displayName: 'Ada', roleTitle: 'Maker' },
    { id: 'lin', displayName: 'Lin', roleTitle: 'Designer' },
  ],
} as unknown as Panel;
const meta = {
  sessionId: 'slack:C1:1.2',
  topic: 'Lamp',
  panelId: 'duo',
  starter: { id: 'u', displayName: 'Ana' },
  createdAt: 0,
  roleMap: { ada: 'Critic' },
  muted: ['lin'],
  imagesGenerated: 1,
} as unknown as SessionMeta;

function inputs(overrides: Partial<RecordInputs> = {}): RecordInputs {
  return {
    meta,
    panel,
    transcript: [],
    images: [],
    poll: { pollId: 'p1', status: 'closed', candidates: ['felt', 'wool', 'glass'], openedAt: 1, closedAt: 2, winners: ['felt'] },
    ballots: [
      { voterKind: 'person', voterName: 'Ana', choices: [0, 1] },
      { voterKind: 'persona', voterName: 'Ada', choices: [0] },
      { voterKind: 'persona', voterName: 'Lin', choices: [2, 2] },
    ],
    support: [],
    vote: { threshold: 0.6, maxWinners: 3 },
    summary: undefined,
    usage: [
      { who: 'ada', model: 'small', promptTokens: 1_000_000, completionTokens: 100_000, calls: 3 },
      { who: 'lin', model: 'local', promptTokens: 500, completionTokens: 50, calls: 1 },
      { who: 'session', model: 'small', promptTokens: 2_000, completionTokens: 1_000, calls: 2 },
    ],
    prices: parseModelPrices('small=0.15/0.6, big = 2.5 / 10'),
    currency: 'EUR',
    endedAt: 3,
    endedBy: 'idle',
    ...overrides,
  };
}

describe('building the session record', () => {
  it('tallies people against the panel from the ballots (a repeated choice counts once)', () => {
    const record = sessionRecordSchema.parse(buildSessionRecord(inputs()));
    expect(record.polls[0]!.tally).toEqual([
      { keyword: 'felt', people: 1, panel: 1, passed: true },
      { keyword: 'wool', people: 1, panel: 0, passed: false },
      { keyword: 'glass', people: 0, panel: 1, passed: false },
    ]);
    expect(record.polls[0]!.ballots[2]).toEqual({ voterKind: 'persona', voterName: 'Lin', choices: ['glass', 'glass'] });
    expect(record.panelists).toEqual([
      { id: 'ada', name: 'Ada', role: 'Critic', muted: false },
      { id: 'lin', name: 'Lin', role: 'Designer', muted: true },
    ]);
    expect(record.session).toMatchObject({ platform: 'slack', endedBy: 'idle', startedBy: 'Ana' });
  });

  it('prices each panelist whose models are priced, and gives a session total only when every model is', () => {
    const record = buildSessionRecord(inputs());
    const [ada, lin] = record.usage.panelists;
    expect(ada).toEqual({ id: 'ada', name: 'Ada', promptTokens: 1_000_000, completionTokens: 100_000, calls: 3, estimatedCost: 0.21 });
    expect(lin?.estimatedCost).toBeUndefined();
    expect(record.usage.other).toEqual({ promptTokens: 2_000, completionTokens: 1_000, calls: 2, estimatedCost: 0.0009 });
    expect(record.usage.session).toEqual({ promptTokens: 1_002_500, completionTokens: 101_050, calls: 6, imagesGenerated: 1 });
    expect(record.usage.currency).toBe('EUR');

    const allPriced = buildSessionRecord(inputs({ prices: parseModelPrices('small=0.15/0.6,local=0/0') }));
    expect(allPriced.usage.session.estimatedCost).toBeCloseTo(0.2109, 6);
    const unpriced = buildSessionRecord(inputs({ prices: new Map() }));
    expect(unpriced.usage.currency).toBeUndefined();
  });

  it('has no decision without a summary, and one from the summary with the tally in it', () => {
    expect(buildSessionRecord(inputs()).decision).toBeUndefined();
    const summary = {
      decisions: ['Felt'],
      splits: [{ question: 'Colour', positions: [{ position: 'Red', panelists: ['Ada'] }, { position: 'Grey', panelists: ['Lin'] }] }],
      openQuestions: [],
      nextSteps: [{ step: 'Sew', owner: 'Ada' }],
      takeaways: [],
      designCard: { name: '', form: '', elements: [], functions: [], targetUsers: '', meaning: '' },
    };
    const record = sessionRecordSchema.parse(buildSessionRecord(inputs({ summary })));
    expect(record.decision).toMatchObject({ agreed: ['Felt'], splits: summary.splits, nextSteps: summary.nextSteps });
    expect(record.decision!.votes.map((row) => row.keyword)).toEqual(['felt', 'wool', 'glass']);
    // An empty design card is left out.
    expect(record.designCard).toBeUndefined();
  });
});
