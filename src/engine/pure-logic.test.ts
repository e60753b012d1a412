import { describe, expect, it } from 'vitest';
import { mergeKeywords, normaliseKeyword, cleanLabel } from './keyword-pool.ts';
import { tallyVotes } from './vote-tally.ts';
import { deriveRoleSwitch } from './derangement.ts';

describe('keyword pool', () => {
  it('normalises case, width, quotes and punctuation when merging', () => {
    expect(normaliseKeyword('  "Red Paper"。 ')).toBe('red paper');
    expect(normaliseKeyword('ＲＥＤ　paper')).toBe('red paper');
    expect(cleanLabel('1. 「剪纸」')).toBe('剪纸');
  });

  it('merges duplicates across personas, ranks by support then order, and caps', () => {
    const pool = mergeKeywords(
      [
        { personaId: 'a', keywords: ['Felt', 'wool', '"Red"'] },
        { personaId: 'b', keywords: ['red', 'Wool ', 'pattern'] },
        { personaId: 'c', keywords: ['RED', 'lamp'] },
      ],
      3,
    );
    expect(pool.map((candidate) => candidate.label)).toEqual(['Red', 'wool', 'Felt']);
    expect(pool[0]?.sources).toEqual(['a', 'b', 'c']);
  });
});

describe('vote tally', () => {
  const candidates = ['felt', 'wool', 'red', 'lamp'];
  it('keeps candidates that reach 60 % of voters, separating persona and people votes', () => {
    const result = tallyVotes(
      candidates,
      [
        { voterKind: 'persona', voterName: 'A', choices: [0, 2] },
        { voterKind: 'persona', voterName: 'B', choices: [2, 1] },
        { voterKind: 'person', voterName: 'P', choices: [2, 0] },
        { voterKind: 'person', voterName: 'Q', choices: [0] },
        { voterKind: 'person', voterName: 'R', choices: [3] },
      ],
      0.6,
      10,
    );
    expect(result.needed).toBe(3);
    expect(result.winners).toEqual(['felt', 'red']);
    expect(result.rows[2]).toMatchObject({ personaVotes: 2, peopleVotes: 1, total: 3 });
  });

  it('breaks ties deterministically by support, then list order', () => {
    const ballots = [{ voterKind: 'persona' as const, voterName: 'A', choices: [1, 3] }];
    expect(tallyVotes(candidates, ballots, 0.5, 1, [1, 1, 1, 1]).winners).toEqual(['wool']);
    expect(tallyVotes(candidates, ballots, 0.5, 1, [1, 1, 1, 2]).winners).toEqual(['lamp']);
  });

  it('handles an empty result and no voters', () => {
    const split = tallyVotes(candidates, [
      { voterKind: 'person', voterName: 'P', choices: [0] },
      { voterKind: 'person', voterName: 'Q', choices: [1] },
      { voterKind: 'person', voterName: 'R', choices: [2] },
    ], 0.6, 10);
    expect(split.winners).toEqual([]);
    expect(split.leading).toEqual(['felt', 'wool', 'red']);
    expect(tallyVotes(candidates, [], 0.6, 10).winners).toEqual([]);
  });
});

describe('role switch', () => {
  it('gives nobody their own role (the default panel)', () => {
    const personas = [
      { id: 'craftsman_1', role: 'craftsman' }, { id: 'consumer_1', role: 'consumer' }, { id: 'manufacturer_1', role: 'manufacturer' },
      { id: 'consumer_2', role: 'consumer' }, { id: 'designer_1', role: 'designer' }, { id: 'consumer_3', role: 'consumer' },
    ];
    for (let seed = 1; seed < 50; seed++) {
      let state = seed;
      const random = () => ((state = (state * 16807) % 2147483647) / 2147483647);
      const map = deriveRoleSwitch(personas, random);
      for (const persona of personas) expect(map[persona.id]).not.toBe(persona.role);
      expect(Object.values(map).sort()).toEqual(personas.map((persona) => persona.role).sort());
    }
  });
});
