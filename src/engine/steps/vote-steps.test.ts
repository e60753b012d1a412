import { describe, expect, it } from 'vitest';
import { coerceBallot, coerceKeywords } from './vote-steps.ts';

describe('lenient structured answers', () => {
  it('takes keywords as an object, a bare list, a string, or under another key', () => {
    expect(coerceKeywords({ keywords: ['a'] })).toEqual({ keywords: ['a'] });
    expect(coerceKeywords(['felt', 'wool'])).toEqual({ keywords: ['felt', 'wool'] });
    expect(coerceKeywords('剪纸，红色、羊毛')).toEqual({ keywords: ['剪纸', '红色', '羊毛'] });
    expect(coerceKeywords({ words: ['x', 'y'] })).toEqual({ keywords: ['x', 'y'] });
  });

  it('takes a ballot as a bare list or with numbers as strings', () => {
    expect(coerceBallot([1, 3])).toEqual({ choices: [1, 3] });
    expect(coerceBallot({ choices: ['2', '4'], reason: 'r' })).toEqual({ choices: [2, 4], reason: 'r' });
  });
});
