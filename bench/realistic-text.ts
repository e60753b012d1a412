/**
 * Deterministic discussion-like text, mixed Chinese and English, for transcripts and model
 * answers in the benches (about `chars` characters; CJK is 3 bytes in UTF-8, Latin 1).
 */
const sentences = [
  '我觉得毛毡灯罩的纹样应该保留传统的回纹，但颜色可以更轻快一些。',
  'From a manufacturing point of view, felt sheets of 3 mm keep their shape without a frame.',
  '年轻人买灯更看重氛围感，价格最好控制在两百元以内。',
  'Could the shade fold flat for shipping? That would halve the box volume.',
  '手工缝线是这个产品的灵魂，机器压边会让它失去温度。',
  'I would test two patterns with twenty students before we commit to tooling.',
  '红色羊毛在暖光下会偏橙，需要先做色样。',
  'Bayar, how long does one shade take by hand, and could an apprentice do the edges?',
  '包装上可以讲一个草原上的小故事，让礼物更有意义。',
  'The dimmer adds cost; a warm 2700 K bulb may be enough for a reading corner.',
];

export function realisticText(seed: number, chars = 300): string {
  let text = '';
  for (let index = seed; text.length < chars; index += 1) {
    const sentence = sentences[index % sentences.length] ?? '';
    text += text ? ` ${sentence}` : sentence;
  }
  return text.slice(0, chars);
}

const cjkPattern = /[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f]/gu;

/**
 * Estimated tokens of a text: one per CJK character (ideographs, kana, hangul, CJK and
 * full-width punctuation) and one per four other characters — no tokenizer is installed, so
 * this is an estimate, labelled as such in the results.
 */
export function estimateTokens(text: string): number {
  const cjk = text.match(cjkPattern)?.length ?? 0;
  const other = [...text].length - cjk;
  return cjk + Math.ceil(other / 4);
}
