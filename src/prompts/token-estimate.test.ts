import { describe, expect, it } from 'vitest';
import { charsForTokens, completionTokensForChars, dominantScript, dominantScriptOf, estimateJoinedTokens, estimateMessagesTokens, estimateTokens, messageOverheadTokens, replyPrimingTokens } from './token-estimate.ts';

const cjkRange = /[\u1100-\u11ff\u2e80-\u2fdf\u3000-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/;

/** The estimate and the script as first written: by code point, a regex per character (the definition the fast versions must equal). */
function referenceEstimate(text: string): number {
  const counts = { cjk: 0, latin: 0, other: 0 };
  let astral = 0;
  for (const character of text) {
    const codePoint = character.codePointAt(0)!;
    if (codePoint > 0xffff) astral++;
    else if (codePoint < 0x250) counts.latin++;
    else if (cjkRange.test(character)) counts.cjk++;
    else counts.other++;
  }
  return counts.cjk + 2 * astral + Math.ceil(counts.latin / 3 + counts.other / 2 - 1e-9);
}

function referenceScript(text: string): string {
  const counts = { cjk: 0, latin: 0, other: 0 };
  let seen = 0;
  for (const character of text) {
    if (seen >= 4_000) break;
    if (!/\p{L}/u.test(character)) continue;
    const codePoint = character.codePointAt(0)!;
    const script = codePoint < 0x250 ? 'latin' : codePoint <= 0xffff && cjkRange.test(character) ? 'cjk' : 'other';
    counts[script]++;
    seen++;
  }
  if (seen === 0) return 'latin';
  if (counts.cjk / seen >= 0.2) return 'cjk';
  if (counts.other / seen >= 0.2) return 'other';
  return 'latin';
}

describe('token estimate', () => {
  it('counts exactly as the per-code-point definition, surrogate pairs and lone surrogates included', () => {
    const alphabet = ['a', 'Z', ' ', 'é', 'ß', 'ж', 'Ω', '我', '。', 'カ', '한', '！', '🎨', '𠀀', '\ud800', '\udc00', '\u0301', 'ا', '1', '\n'];
    let seed = 7;
    const random = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    for (let sample = 0; sample < 300; sample++) {
      const text = Array.from({ length: Math.floor(random() * 80) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      expect(estimateTokens(text), JSON.stringify(text)).toBe(referenceEstimate(text));
      expect(dominantScript(text), JSON.stringify(text)).toBe(referenceScript(text));
    }
  });

  it('estimates parts as the text they join into, a surrogate pair split across two parts and long remembered parts included', () => {
    const alphabet = ['a', ' ', 'é', 'ж', '我', '。', '🎨', '\ud83c', '\udfa8', '\ud800', '\udc00', '\n'];
    let seed = 11;
    const random = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    const text = (length: number) => Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    for (let sample = 0; sample < 300; sample++) {
      // Some parts past the length at which counts are remembered, some empty.
      const parts = Array.from({ length: 1 + Math.floor(random() * 4) }, () => text(random() < 0.2 ? 300 + Math.floor(random() * 200) : Math.floor(random() * 6)));
      expect(estimateJoinedTokens(parts), JSON.stringify(parts)).toBe(referenceEstimate(parts.join('')));
    }
    expect(estimateJoinedTokens(['x \ud83c', '\udfa8 y'])).toBe(referenceEstimate('x 🎨 y'));
  });

  it('counts a long text that extends a remembered one (a context with entries appended) as counting it afresh, a surrogate pair split at the join included', () => {
    const alphabet = ['a', ' ', 'é', 'ж', '我', '🎨', '\ud83c', '\udfa8', '\ud800', '\n'];
    let seed = 23;
    const random = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    const text = (length: number) => Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    let context = text(400);
    expect(estimateTokens(context)).toBe(referenceEstimate(context));
    for (let step = 0; step < 100; step++) {
      // Mostly appended to; now and then a new start (the window slid, the summary changed).
      context = random() < 0.15 ? text(300 + Math.floor(random() * 200)) : context + text(1 + Math.floor(random() * 40));
      expect(estimateTokens(context), JSON.stringify(context.slice(-50))).toBe(referenceEstimate(context));
    }
    const head = `${'a'.repeat(300)}\ud83c`;
    expect(estimateTokens(head)).toBe(referenceEstimate(head));
    expect(estimateTokens(`${head}\udfa8 and more`)).toBe(referenceEstimate(`${head}\udfa8 and more`));
  });

  it('finds the script of parts as of the parts joined by newlines, past the 4,000 letters counted too', () => {
    const parts = ['设计一盏毛毡灯', 'A felt lamp for reading in bed', 'Как сделать лампу', '🎨 ok', '\ud800', ''];
    let seed = 11;
    const random = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    for (let sample = 0; sample < 200; sample++) {
      const chosen = Array.from({ length: 1 + Math.floor(random() * 5) }, () => parts[Math.floor(random() * parts.length)]!);
      expect(dominantScriptOf(chosen), JSON.stringify(chosen)).toBe(dominantScript(chosen.join('\n')));
    }
    // 3,990 Latin letters, then Chinese: only 10 of it is counted, so the whole reads as Latin.
    const long = ['a'.repeat(3_990), '设'.repeat(3_000)];
    expect(dominantScript(long.join('\n'))).toBe('latin');
    expect(dominantScriptOf(long)).toBe('latin');
    expect(dominantScriptOf(['a'.repeat(100), '设'.repeat(3_000)])).toBe('cjk');
  });

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
