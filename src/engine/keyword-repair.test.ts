import { describe, expect, it } from 'vitest';
import { keywordLimits, keywordsSchema, repairKeywords } from './keyword-repair.ts';
import { cleanLabel, mergeKeywords, normaliseKeyword } from './keyword-pool.ts';
import { trackRepairs } from './structured-outcome.ts';

describe('repairing keywords', () => {
  it('takes an object, a bare list, a comma string, numbered lines, or another key', () => {
    expect(repairKeywords({ keywords: ['a'] })).toEqual({ keywords: ['a'] });
    expect(repairKeywords(['felt', 'wool'])).toEqual({ keywords: ['felt', 'wool'] });
    expect(repairKeywords('剪纸，红色、羊毛')).toEqual({ keywords: ['剪纸', '红色', '羊毛'] });
    expect(repairKeywords({ keywords: 'felt, wool; lamp' })).toEqual({ keywords: ['felt', 'wool', 'lamp'] });
    expect(repairKeywords('1. felt\n2. "warm light"\n- pattern')).toEqual({ keywords: ['felt', 'warm light', 'pattern'] });
    expect(repairKeywords({ tags: ['x', 'y'] })).toEqual({ keywords: ['x', 'y'] });
    expect(repairKeywords({ result: { keywords: ['x'] } })).toEqual({ keywords: ['x'] });
    expect(repairKeywords([{ keyword: 'felt', why: 'warm' }, { term: 'wool' }, 2025])).toEqual({ keywords: ['felt', 'wool', '2025'] });
  });

  it('drops empties and repeats', () => {
    expect(repairKeywords(['felt', ' Felt ', '', 'FELT.', 'wool'])).toEqual({ keywords: ['felt', 'wool'] });
  });

  it('clips an over-long keyword at a word break and an over-long list, instead of failing', () => {
    const long = 'a very long keyword phrase that goes on and on about sustainable materials for student dormitories';
    const repaired = repairKeywords({ keywords: [long, ...Array.from({ length: 30 }, (_, index) => `word${index}`)] });
    expect(keywordsSchema.safeParse(repaired).success).toBe(true);
    expect(repaired.keywords).toHaveLength(keywordLimits.count);
    expect(repaired.keywords[0]!.length).toBeLessThanOrEqual(keywordLimits.length);
    expect(long.startsWith(repaired.keywords[0]!)).toBe(true);
    expect(repaired.keywords[0]).toMatch(/[a-z]$/);
    expect(long[repaired.keywords[0]!.length]).toBe(' ');
  });

  it('leaves an answer with nothing usable invalid, so the gateway retries', () => {
    expect(keywordsSchema.safeParse(repairKeywords({ reply: 42 })).success).toBe(false);
    expect(keywordsSchema.safeParse(repairKeywords(['', '  ', '...'])).success).toBe(false);
  });

  it('counts a valid answer as accepted and a reshaped one as repaired', () => {
    const tracked = trackRepairs(keywordsSchema, repairKeywords);
    tracked.coerce({ keywords: ['felt', 'wool'] });
    expect(tracked.repaired).toBe(false);
    tracked.coerce('felt, wool');
    expect(tracked.repaired).toBe(true);
  });
});

describe('keyword labels', () => {
  it('strip a list marker but keep keywords that are or start with numbers', () => {
    expect(cleanLabel('1. 「剪纸」')).toBe('剪纸');
    expect(cleanLabel('2) felt')).toBe('felt');
    expect(cleanLabel('3D printing')).toBe('3D printing');
    expect(cleanLabel('2025')).toBe('2025');
    expect(normaliseKeyword('1. Felt')).toBe('felt');
    expect(mergeKeywords([{ personaId: 'a', keywords: ['2025', '3D printing', 'D printing'] }], 5).map((candidate) => candidate.label)).toEqual(['2025', '3D printing', 'D printing']);
  });

  it('clip at a word break', () => {
    const label = cleanLabel('sustainable materials for student dormitory lighting');
    expect(label).toBe('sustainable materials for student');
  });
});
