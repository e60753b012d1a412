/**
 * Matches a piece of free text a model wrote ("Lamp-shade", "felt (wool)", "红色羊毛") to one of a
 * list of candidate labels, or to none. Pure.
 *
 * Contract: returns the 0-based index of the one candidate the text names, or undefined when it
 * names none — or more than one equally well (ambiguity is never guessed away). In order:
 * 1. equal after normalising (NFKC, lower case, invisible marks removed, punctuation, symbols and
 *    whitespace collapsed to one space), or equal once all spaces are gone ("lampshade");
 * 2. unambiguous containment: the text holds exactly one candidate as whole words — CJK text has
 *    no word breaks, so there any substring counts — keeping only the longest of nested ones
 *    ("warm light" over "light"), or the text is a whole-word prefix or part of exactly one
 *    candidate, at least `minimumFragment` characters long;
 * 3. similarity: the higher of the Dice coefficient over character bigrams (spaces removed, so it
 *    works for CJK and Latin alike; single characters compare as unigrams) and the Jaccard index
 *    over words. The best candidate wins if it scores at least `similarityThreshold` and beats the
 *    runner-up by `similarityMargin`.
 *
 * Why 0.6: one typo in a 4-letter word still scores 0.67 ("felf"/"felt"), plurals and spacing
 * variants score ≥ 0.9 ("lamp shades"/"lamp shade"), while two different keywords that share one
 * word stay near 0.35 ("warm colour"/"warm light"). The 0.1 margin keeps near-twins apart: "red
 * wol" goes to "red wool" (0.91) over "red wood" (0.73), but a text halfway between two
 * candidates matches neither. The thresholds are tested in text-match.test.ts.
 *
 * Hazard: a keyword that is a number ("2025") is matched as text only by the caller's choice; this
 * module never reads numbers as candidate positions.
 */

export const similarityThreshold = 0.6;
export const similarityMargin = 0.1;
/** Shortest fragment (in characters, spaces removed) that may stand for a longer candidate. */
export const minimumFragment = { latin: 3, cjk: 2 } as const;

const invisible = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const cjkCharacter = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** NFKC, lower case, invisible marks removed, punctuation/symbols/whitespace runs → one space. */
export function normaliseForMatch(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(invisible, '').replace(/[\p{P}\p{S}\s]+/gu, ' ').trim();
}

const compact = (normalised: string) => normalised.replace(/ /g, '');
const hasCjk = (text: string) => cjkCharacter.test(text);

/** Character bigrams (a multiset) of a compacted string; a one-character string is its own gram. */
function bigrams(text: string): Map<string, number> {
  const characters = [...text];
  const grams = new Map<string, number>();
  if (characters.length === 1) grams.set(text, 1);
  for (let index = 0; index + 1 < characters.length; index++) {
    const gram = characters[index]! + characters[index + 1]!;
    grams.set(gram, (grams.get(gram) ?? 0) + 1);
  }
  return grams;
}

function dice(left: string, right: string): number {
  const a = bigrams(left);
  const b = bigrams(right);
  let sizeA = 0;
  let sizeB = 0;
  let shared = 0;
  for (const count of a.values()) sizeA += count;
  for (const [gram, count] of b) {
    sizeB += count;
    shared += Math.min(count, a.get(gram) ?? 0);
  }
  return sizeA + sizeB === 0 ? 0 : (2 * shared) / (sizeA + sizeB);
}

function wordJaccard(left: string, right: string): number {
  const a = new Set(left.split(' ').filter(Boolean));
  const b = new Set(right.split(' ').filter(Boolean));
  let shared = 0;
  for (const word of a) if (b.has(word)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : shared / union;
}

/** How alike two normalised strings are, 0..1 (see the header). */
export function similarity(left: string, right: string): number {
  return Math.max(dice(compact(left), compact(right)), wordJaccard(left, right));
}

/** `inner` occurs in `outer` as whole words (Latin) or anywhere (when either side is CJK). */
function occursIn(inner: string, outer: string): boolean {
  if (!inner) return false;
  if (hasCjk(inner) || hasCjk(outer)) return compact(outer).includes(compact(inner));
  return ` ${outer} `.includes(` ${inner} `);
}

function longEnoughFragment(fragment: string): boolean {
  const length = [...compact(fragment)].length;
  return length >= (hasCjk(fragment) ? minimumFragment.cjk : minimumFragment.latin);
}

/** The one candidate `text` names (0-based), or undefined. See the header for the rules. */
export function matchCandidate(text: string, candidates: readonly string[]): number | undefined {
  const answer = normaliseForMatch(text);
  if (!answer) return undefined;
  const labels = candidates.map(normaliseForMatch);
  const only = (indexes: number[]) => (indexes.length === 1 ? indexes[0] : undefined);
  const indexes = labels.map((_, index) => index);

  const equal = only(indexes.filter((index) => labels[index] === answer || compact(labels[index]!) === compact(answer)));
  if (equal !== undefined) return equal;

  // The answer mentions a candidate ("felt, because it is warm"): the longest of nested mentions.
  const mentioned = indexes.filter((index) => labels[index] && occursIn(labels[index]!, answer));
  const outermost = mentioned.filter((index) => !mentioned.some((other) => other !== index && labels[other]!.length > labels[index]!.length && occursIn(labels[index]!, labels[other]!)));
  const mention = only(outermost);
  if (mention !== undefined) return mention;

  // The answer is a fragment of one candidate ("lamp" for "lamp shade").
  if (mentioned.length === 0 && longEnoughFragment(answer)) {
    const fragment = only(indexes.filter((index) => occursIn(answer, labels[index]!)));
    if (fragment !== undefined) return fragment;
  }

  const scored = indexes.map((index) => ({ index, score: similarity(answer, labels[index]!) })).sort((a, b) => b.score - a.score);
  const [best, runnerUp] = scored;
  if (!best || best.score < similarityThreshold) return undefined;
  if (runnerUp && best.score - runnerUp.score < similarityMargin) return undefined;
  return best.index;
}
