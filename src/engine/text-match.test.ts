import { describe, expect, it } from 'vitest';
import { matchCandidate, normaliseForMatch, similarity, similarityMargin, similarityThreshold } from './text-match.ts';

const candidates = ['felt', 'Red wool', 'lamp shade', 'pattern', 'warm light', 'red wood', '剪纸', '红色羊毛', 'light', '3D printing'];
const match = (text: string) => {
  const index = matchCandidate(text, candidates);
  return index === undefined ? undefined : candidates[index];
};

describe('normalising for a match', () => {
  it('folds width, case, invisible marks, punctuation and whitespace', () => {
    expect(normaliseForMatch('  ＬＡＭＰ—Shade\u200b!! ')).toBe('lamp shade');
    expect(normaliseForMatch('「剪纸」。')).toBe('剪纸');
  });
});

describe('matching free text to a candidate', () => {
  it('matches equal labels after normalising, with or without spaces', () => {
    expect(match('Lamp-Shade')).toBe('lamp shade');
    expect(match('lampshade')).toBe('lamp shade');
    expect(match('ｆｅｌｔ')).toBe('felt');
    expect(match('剪 纸')).toBe('剪纸');
    expect(match('3d Printing')).toBe('3D printing');
  });

  it('takes the one candidate a text mentions, the longest of nested ones', () => {
    expect(match('felt, because it is warm')).toBe('felt');
    expect(match('the warm light idea')).toBe('warm light');
    // "light" alone is a candidate too: equal wins over containment.
    expect(match('Light')).toBe('light');
  });

  it('takes an unambiguous fragment of one candidate, CJK included, and refuses short or shared ones', () => {
    expect(match('lamp')).toBe('lamp shade');
    expect(match('wool')).toBe('Red wool');
    expect(match('红色')).toBe('红色羊毛');
    expect(match('red')).toBeUndefined(); // in "Red wool" and "red wood"
    expect(match('pa')).toBeUndefined(); // too short to stand for "pattern"
  });

  it('matches typos and plurals above the threshold, with a margin over near-twins', () => {
    expect(match('felf')).toBe('felt');
    expect(match('lamp shades')).toBe('lamp shade');
    expect(match('red wol')).toBe('Red wool');
    // Halfway between two candidates: neither.
    expect(match('red woo')).toBeUndefined();
    expect(match('banana')).toBeUndefined();
    expect(match('')).toBeUndefined();
  });

  it('keeps the threshold where the TSDoc says it is', () => {
    const score = (left: string, right: string) => similarity(normaliseForMatch(left), normaliseForMatch(right));
    expect(score('felf', 'felt')).toBeGreaterThanOrEqual(similarityThreshold);
    expect(score('lamp shades', 'lamp shade')).toBeGreaterThanOrEqual(0.9);
    expect(score('warm colour', 'warm light')).toBeLessThan(similarityThreshold);
    expect(score('red wol', 'red wool') - score('red wol', 'red wood')).toBeGreaterThanOrEqual(similarityMargin);
  });
});
