import { describe, expect, it } from 'vitest';
import { answerDecided, cutAtWord, cutToLength, cutWithin, ellipsis, finishAnswer, streamingPreview, trimToCompleteSentences } from './sentence-cut.ts';

const english = "The lamp should be made of felt. It keeps the warmth of home! Does anyone disagree? I think the red wool matters most, because it carries the pattern of the steppe and the memory of my grandmother's hands. ";
const chinese = '我们应该用羊毛做灯罩。它能保留家的温暖！有人不同意吗？我认为红色的羊毛最重要，因为它承载着草原的图案。';
const japanese = '私はフェルトのランプが好きです。「行こう。」と彼は言った。祖母の手の記憶が大切です！';

/** Every word of `cut` (its ellipsis removed) is a whole word of `original`. */
function wholeWords(cut: string, original: string): boolean {
  const words = cut.replace(ellipsis, '').split(/\s+/).filter(Boolean);
  const originalWords = new Set(original.split(/\s+/));
  return words.every((word) => originalWords.has(word) || originalWords.has(`${word},`) || [...originalWords].some((candidate) => candidate.startsWith(word) && /^\p{P}+$/u.test(candidate.slice(word.length))));
}

describe('cutToLength', () => {
  it('leaves an answer within 1.2× its target alone', () => {
    expect(cutToLength('  Short and sweet.  ', 100)).toBe('Short and sweet.');
    expect(cutToLength('x'.repeat(120), 100)).toBe('x'.repeat(120));
  });

  it('cuts English at the last sentence that ends within 1.2× the target', () => {
    const text = english.repeat(10);
    const cut = cutToLength(text, 200);
    expect(cut.length).toBeLessThanOrEqual(240);
    expect(cut.length).toBeGreaterThanOrEqual(100);
    expect(text.startsWith(cut)).toBe(true);
    expect(cut).toMatch(/[.!?]$/);
  });

  it('cuts Chinese at 。！？ with no spaces to help', () => {
    const cut = cutToLength(chinese.repeat(20), 100);
    expect(cut.length).toBeLessThanOrEqual(120);
    expect(cut).toMatch(/[。！？]$/);
    expect(chinese.repeat(20).startsWith(cut)).toBe(true);
  });

  it('keeps a Japanese closing bracket with its sentence and never ends on an opening one', () => {
    const cut = cutToLength(japanese.repeat(20), 40);
    expect(cut.length).toBeLessThanOrEqual(48);
    expect(cut).toMatch(/[。！」]$/);
    expect(cut).not.toMatch(/「$/);
  });

  it('goes up to 1.5× the target rather than keep only a fragment, never beyond', () => {
    const text = `Yes. A long clause${' about felt and wool and warm light,'.repeat(4)} done. More${' words here'.repeat(40)}`;
    const cut = cutToLength(text, 130);
    expect(cut.length).toBeGreaterThan(156);
    expect(cut.length).toBeLessThanOrEqual(195);
    expect(cut).toMatch(/done\.$/);
  });

  it('cuts a text without punctuation at a word boundary, with an ellipsis, never mid-word', () => {
    const text = 'felt lamps and warm wool shades and red patterns from the steppe and '.repeat(20);
    const cut = cutToLength(text, 100);
    expect(cut.length).toBeLessThanOrEqual(120);
    expect(cut.endsWith(ellipsis)).toBe(true);
    expect(wholeWords(cut, text)).toBe(true);
  });

  it('cuts Chinese without punctuation between words, not inside one', () => {
    const text = '我们应该用羊毛做灯罩'.repeat(30);
    const cut = cutAtWord(text, 25);
    expect(cut.length).toBeLessThanOrEqual(25);
    expect(cut.endsWith(ellipsis)).toBe(true);
    // The dictionary segmentation ends at a word: 灯罩 is never split into 灯 | 罩.
    expect(cut.replace(ellipsis, '')).not.toMatch(/灯$/);
  });

  it('cuts a single overlong "word" only when it must', () => {
    const cut = cutAtWord('x'.repeat(500), 50);
    expect(cut).toBe(`${'x'.repeat(49)}${ellipsis}`);
  });

  it('cutWithin never exceeds its limit', () => {
    for (const limit of [20, 50, 80, 200]) expect(cutWithin(english.repeat(3), limit).length).toBeLessThanOrEqual(limit);
  });
});

describe('trimToCompleteSentences (an answer cut off by its cap)', () => {
  it('drops the unfinished end', () => {
    expect(trimToCompleteSentences('She left the room. Then her mommy said, "')).toBe('She left the room.');
    expect(trimToCompleteSentences('我们应该用羊毛做灯罩。它能保留家的')).toBe('我们应该用羊毛做灯罩。');
    expect(trimToCompleteSentences('私はフェルトが好きです。「行こう。」と彼は')).toBe('私はフェルトが好きです。「行こう。」');
  });

  it('keeps a last sentence that did end', () => {
    expect(trimToCompleteSentences('All done here. Nothing more!')).toBe('All done here. Nothing more!');
    expect(trimToCompleteSentences('He said: "Go."')).toBe('He said: "Go."');
  });

  it('with no complete sentence, drops the possibly cut last word and adds an ellipsis', () => {
    expect(trimToCompleteSentences('The lamp should be made of fel')).toBe('The lamp should be made of…');
    expect(trimToCompleteSentences('her mommy said, "')).toBe('her mommy said…');
    expect(trimToCompleteSentences('Hello')).toBe('Hello…');
  });
});

describe('finishAnswer and streamingPreview', () => {
  it('trims a length-finished answer, then cuts it to its target', () => {
    const answer = `${english.repeat(3)}And then she`;
    const finished = finishAnswer(answer, { targetChars: 1_000, finishReason: 'length' });
    expect(finished).toBe(english.repeat(3).trim());
    expect(finishAnswer(answer, { targetChars: 1_000, finishReason: 'stop' })).toBe(answer.trim());
  });

  it('never shows more while streaming than 1.2× the target, and only ever grows', () => {
    const text = english.repeat(10);
    let previous = '';
    for (let length = 0; length <= text.length; length += 37) {
      const shown = streamingPreview(text.slice(0, length), 200);
      expect(shown.length).toBeLessThanOrEqual(240);
      expect(text.startsWith(shown)).toBe(true);
      // A native stream can only append: the preview never goes back on what it showed.
      expect(shown.startsWith(previous)).toBe(true);
      previous = shown;
    }
    // Mid-sentence just below the cut, then past it: the preview keeps what it showed.
    const long = `${'Felt is warm and soft. '.repeat(8)}Long remark about materials and seams that goes on and on past the cut.`;
    const before = streamingPreview(long.slice(0, 239), 200);
    expect(streamingPreview(long, 200).startsWith(before)).toBe(true);
  });
});

describe('answerDecided', () => {
  // Texts with sentence ends in many places, with none near the cut, and in scripts without spaces.
  const texts = [
    english.repeat(12),
    `${'word '.repeat(400)}end.`,
    `Intro. ${'a-very-long-token-without-breaks'.repeat(40)} tail. ${english.repeat(4)}`,
    chinese.repeat(30),
    japanese.repeat(30),
    `${'Felt is warm and soft. '.repeat(8)}${'Long remark about materials and seams. '.repeat(70)}That is all.`,
    // After "e.g." ICU looks ahead across digits and spaces for a lower-case letter: a text cut
    // inside that run ends a sentence there, the whole text does not.
    `${'Felt, e.g. 12 34 56 78 90 12 34 56 78 90 12 34 56 78 90 12 34 56 78 90 wool, is warm. '.repeat(20)}`,
  ];

  it('is reached only where the rest of the answer no longer changes its cut', () => {
    for (const target of [40, 200, 400, 700]) {
      for (const text of texts) {
        let decidedSeen = false;
        for (let length = 1; length <= text.length; length += 7) {
          const prefix = text.slice(0, length);
          if (!answerDecided(prefix, target)) continue;
          decidedSeen = true;
          // The post made from the text so far is the post the whole answer would have made.
          expect(cutToLength(prefix, target), `target ${target}, ${length} of ${text.length} chars`).toBe(cutToLength(text, target));
        }
        if (text.length > target * 2 + 250) expect(decidedSeen).toBe(true);
      }
    }
  });

  it('is not reached by an answer still within its hard length, nor for a target of 0 (no limit)', () => {
    expect(answerDecided(english.repeat(2), 400)).toBe(false);
    expect(answerDecided(english.repeat(50), 0)).toBe(false);
  });
});
