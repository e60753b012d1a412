import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ballotSchemaFor, repairBallot } from './ballot-repair.ts';
import { trackRepairs } from './structured-outcome.ts';

const candidates = ['felt', 'Red wool', 'lamp shade', 'pattern', 'warm light'];
const size = 3;
const schema = ballotSchemaFor(candidates.length, size);
const repair = (raw: unknown) => repairBallot(raw, candidates, size);
const problems = (value: unknown) => {
  const parsed = schema.safeParse(value);
  return parsed.success ? '' : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
};

describe('the ballot schema of a poll', () => {
  it('offers exactly the candidate numbers as an enum, 1 to the ballot size of them', () => {
    const json = z.toJSONSchema(schema, { target: 'draft-7' }) as unknown as { properties: { choices: { items: { enum: number[] }; minItems: number; maxItems: number } } };
    expect(json.properties.choices.items.enum).toEqual([1, 2, 3, 4, 5]);
    expect(json.properties.choices.minItems).toBe(1);
    expect(json.properties.choices.maxItems).toBe(size);
  });

  it('names the valid numbers in every way it can fail (what the corrective retry quotes)', () => {
    for (const invalid of [{ choices: [0, 14, 99] }, { choices: [] }, { choices: ['banana'] }, { choices: 'x' }, { choices: [1, 2, 3, 4] }]) {
      expect(problems(invalid)).toContain('1, 2, 3, 4, 5');
    }
  });
});

describe('repairing a ballot', () => {
  it('keeps the valid numbers of an out-of-range answer, in order, without repeats', () => {
    expect(repair({ choices: [0, 2, 14, 2, 99, 5] })).toEqual({ choices: [2, 5] });
  });

  it('leaves an answer with nothing valid invalid, so the gateway retries', () => {
    const repaired = repair([0, 14, 99]);
    expect(repaired).toEqual({ choices: [] });
    expect(problems(repaired)).toMatch(/no candidate chosen: give 1 to 3 of the candidate numbers 1, 2, 3, 4, 5/);
  });

  it('reads the keywords by text, in any case, spacing or near-spelling', () => {
    expect(repair(['lamp shade', 'Felt'])).toEqual({ choices: [3, 1] });
    expect(repair({ choices: ['LAMPSHADE', 'red wol', 'nonsense'] })).toEqual({ choices: [3, 2] });
  });

  it('reads numbers as strings, a bare number, a numbered string and "and"', () => {
    expect(repair({ choices: ['2', '#4'], reason: 'r' })).toEqual({ choices: [2, 4], reason: 'r' });
    expect(repair('3')).toEqual({ choices: [3] });
    expect(repair(4)).toEqual({ choices: [4] });
    expect(repair('1. Felt, 3. lamp shade')).toEqual({ choices: [1, 3] });
    expect(repair('1 and 5')).toEqual({ choices: [1, 5] });
  });

  it('trusts the label over a number that is only the model’s own ranking', () => {
    expect(repair('1. pattern, 2. felt')).toEqual({ choices: [4, 1] });
    expect(repair([{ number: 1, keyword: 'warm light' }])).toEqual({ choices: [5] });
    // An unknown label falls back to the number.
    expect(repair(['2. something else'])).toEqual({ choices: [2] });
  });

  it('finds the choices under other keys and in nested objects', () => {
    expect(repair({ votes: [5, 1] })).toEqual({ choices: [5, 1] });
    expect(repair({ choice: 2 })).toEqual({ choices: [2] });
    expect(repair({ choices: [{ choice: 2 }, { id: '3' }, { keyword: 'felt' }] })).toEqual({ choices: [2, 3, 1] });
    expect(repair({ ballot: { choices: [4], why: 'warmth' } })).toEqual({ choices: [4], reason: 'warmth' });
    expect(repair({ choices: { first: 2, second: 4 } })).toEqual({ choices: [2, 4] });
  });

  it('keeps the first ballot-size choices of a long list and clips a long reason', () => {
    const repaired = repair({ choices: [5, 4, 3, 2, 1], reason: 'x'.repeat(500) }) as { choices: number[]; reason: string };
    expect(repaired.choices).toEqual([5, 4, 3]);
    expect(repaired.reason).toHaveLength(400);
    expect(problems(repaired)).toBe('');
  });
});

describe('the outcome of a ballot answer', () => {
  it('is accepted when valid as given, repaired when the repair made it valid', () => {
    const tracked = trackRepairs(schema, repair);
    tracked.coerce({ choices: [1, 2], reason: 'fine' });
    expect(tracked.repaired).toBe(false);
    tracked.coerce({ choices: [1, 2], reason: null });
    expect(tracked.repaired).toBe(false); // strict mode's null for "no reason" is as given
    tracked.coerce({ choices: ['1', 2] });
    expect(tracked.repaired).toBe(true);
    tracked.coerce({ choices: [1, 1, 2] });
    expect(tracked.repaired).toBe(true);
    expect(tracked.coerce([0, 14, 99])).toEqual({ choices: [] });
    expect(tracked.repaired).toBe(false);
  });
});
