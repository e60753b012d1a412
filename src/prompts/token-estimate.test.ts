import { describe, expect, it } from 'vitest';
import { charsForTokens, completionTokensForChars, dominantScript, estimateMessagesTokens, estimateTokens, messageOverheadTokens, replyPrimingTokens } from './token-estimate.ts';

describe('token estimate', () => {
  it('counts Latin text at a third of a token per character, rounded up', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('abc')).toBe(1);
    expect(estimateTokens('abcd')).toBe(2);
    expect(estimateTokens('x'.repeat(3_000))).toBe(1_000);
  });

  it('counts CJK ideographs, kana, hangul and full-width punctuation at a token each', () => {
    expect(estimateTokens('我们应该用羊毛做灯罩。')).toBe(11);
    expect(estimateTokens('ひらがなカタカナ')).toBe(8);
    expect(estimateTokens('한국어')).toBe(3);
    expect(estimateTokens('！？')).toBe(2);
  });

  it('counts other scripts at half a token per character and emoji at two', () => {
    expect(estimateTokens('привет')).toBe(3);
    expect(estimateTokens('🎨🎨')).toBe(4);
  });

  it('stays above the real counts of common tokenizers for English and Chinese', () => {
    // English runs ~4 characters a token (o200k, Llama 3); Chinese ~0.7–1 token a character.
    const english = 'The panel agreed that a felt lamp shade keeps the warmth of home and the red wool carries the pattern. ';
    expect(estimateTokens(english)).toBeGreaterThanOrEqual(Math.ceil(english.length / 4));
    const chinese = '大家一致认为毛毡灯罩保留了家的温暖，红色羊毛承载着图案。';
    expect(estimateTokens(chinese)).toBeGreaterThanOrEqual(chinese.length);
  });

  it('adds the chat template overhead per message and for priming the reply', () => {
    const messages = [
      { role: 'system' as const, content: 'abc' },
      { role: 'user' as const, content: [{ type: 'text' as const, text: 'abcdef' }] },
    ];
    expect(estimateMessagesTokens(messages)).toBe(replyPrimingTokens + 2 * messageOverheadTokens + 1 + 2);
  });

  it('tells the script a session writes in, a Chinese text quoting English names included', () => {
    expect(dominantScript('Design a felt lamp')).toBe('latin');
    expect(dominantScript('设计一盏毛毡灯，参考 Bayar 的建议')).toBe('cjk');
    expect(dominantScript('Как сделать лампу из войлока')).toBe('other');
    expect(dominantScript('123 !!!')).toBe('latin');
  });

  it('sizes completions with CJK headroom and inverts the prompt rates', () => {
    expect(completionTokensForChars(300, 'latin')).toBe(100);
    expect(completionTokensForChars(300, 'cjk')).toBe(375);
    expect(charsForTokens(100, 'latin')).toBe(300);
    expect(charsForTokens(100, 'cjk')).toBe(100);
  });
});
