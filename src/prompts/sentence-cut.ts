/**
 * Cuts a model's answer to its target length at a sentence boundary, in any script, and trims an
 * answer the model was stopped in (finish_reason `length`) to its last complete sentence.
 *
 * Sentences and words come from `Intl.Segmenter` (ICU's rules: `.!?` and `。！？` and their
 * kin, closing quotes and brackets kept with their sentence; dictionary word breaks for Chinese,
 * Japanese and Thai, which write no spaces). Lengths are UTF-16 code units (`string.length`): a
 * Latin letter or a CJK character is 1, an emoji 2.
 *
 * Contract of `cutToLength(text, target)`: the result is a prefix of the text (plus `…` when cut
 * inside a sentence) no longer than `hardOvershoot` × target, and no longer than `softOvershoot`
 * × target unless the only sentence boundaries are between the two. It never ends inside a word,
 * except in a single "word" longer than the limit (a URL, a run of symbols), which is cut where
 * it must be.
 */
import { hardOvershoot, softOvershoot } from './answer-length.ts';

export const ellipsis = '…';

const sentences = new Intl.Segmenter('en', { granularity: 'sentence' });
const words = new Intl.Segmenter('en', { granularity: 'word' });

/** Ends a sentence: terminal punctuation, then any closing quotes or brackets. */
const completeSentenceEnd = /[.!?。！？．…‼⁇⁈⁉؟।॥](?:[\p{Pe}\p{Pf}"'」』》）\]*_]*)$/u;
/** ICU keeps an *opening* bracket or quote that follows a terminator with the sentence before it. */
const danglingOpeners = /[\s\p{Ps}\p{Pi}"'「『《（(]+$/u;
/** A list item's number alone ("2.") is no sentence to end a post with. */
const listMarker = /^\(?\d{1,3}[.)]$/;
/** Punctuation a word cut should not leave before its ellipsis. */
const trailingJoiners = /[\s,;:、，；：\-–—(「『（"'“‘]+$/u;

/** Characters read past a limit, so the segmenter sees what follows a boundary near it. */
const lookahead = 200;

/** The ends (offsets) of the sentences of `text`, in order (of its first `upTo` characters only, plus `lookahead`). */
function sentenceEnds(text: string, upTo = Infinity): number[] {
  const ends: number[] = [];
  const read = upTo === Infinity ? text : text.slice(0, upTo + lookahead);
  for (const { segment, index } of sentences.segment(read)) ends.push(index + segment.length);
  return ends;
}

/** The text up to a sentence end, without what does not belong to the finished sentence. */
function prefixTo(text: string, end: number): string {
  return text.slice(0, end).replace(danglingOpeners, '').trimEnd();
}

/** The longest sentence-ending prefix of at most `maxChars`, or '' when the first sentence is longer. */
function sentencesWithin(text: string, maxChars: number): string {
  let best = '';
  let start = 0;
  for (const end of sentenceEnds(text, maxChars)) {
    const sentence = text.slice(start, end).trim();
    start = end;
    const prefix = prefixTo(text, end);
    if (prefix.length > maxChars) break;
    if (!listMarker.test(sentence)) best = prefix;
  }
  return best;
}

/** The text as it is when it fits in `maxChars`; else cut after a whole word, with `…` (`cutAtWord`). */
export function clipText(text: string, maxChars: number): string {
  return text.length > maxChars ? cutAtWord(text, maxChars) : text;
}

/** At most `maxChars` (ellipsis included), ending after a whole word, then `…`. */
export function cutAtWord(text: string, maxChars: number): string {
  const room = Math.max(1, maxChars - ellipsis.length);
  let end = 0;
  for (const { segment, index, isWordLike } of words.segment(text.slice(0, room + lookahead))) {
    if (index + segment.length > room) break;
    if (isWordLike) end = index + segment.length;
  }
  let kept = text.slice(0, end);
  if (end === 0) {
    // One "word" longer than the room (a URL): cut inside it, on a code point boundary.
    for (const character of text) {
      if (kept.length + character.length > room) break;
      kept += character;
    }
  }
  return `${kept.replace(trailingJoiners, '')}${ellipsis}`;
}

/** `text` cut to about `targetChars` at a sentence boundary (see the contract above). */
export function cutToLength(text: string, targetChars: number): string {
  const soft = Math.floor(targetChars * softOvershoot);
  const hard = Math.floor(targetChars * hardOvershoot);
  const trimmed = text.trim();
  if (trimmed.length <= soft) return trimmed;
  const withinSoft = sentencesWithin(trimmed, soft);
  if (withinSoft.length >= targetChars / 2) return withinSoft;
  const withinHard = sentencesWithin(trimmed, hard);
  if (withinHard) return withinHard;
  return withinSoft || cutAtWord(trimmed, soft);
}

/** At most `maxChars`: whole sentences when one fits, else whole words and `…`. */
export function cutWithin(text: string, maxChars: number): string {
  const trimmed = text.trim();
  if (trimmed.length <= maxChars) return trimmed;
  return sentencesWithin(trimmed, maxChars) || cutAtWord(trimmed, maxChars);
}

/**
 * An answer the model was stopped in, without its unfinished end: whole sentences only (the last
 * one kept when it ends like one, or with a line break); when no sentence is complete, the words
 * before the last (possibly cut) one, then `…`.
 */
export function trimToCompleteSentences(text: string): string {
  const trimmed = text.trimStart();
  const ends = sentenceEnds(trimmed);
  if (ends.length === 0) return '';
  const last = trimmed.slice(ends.at(-2) ?? 0);
  if (completeSentenceEnd.test(last.trimEnd()) || /\n\s*$/.test(last)) return trimmed.trimEnd();
  const complete = ends.length > 1 ? prefixTo(trimmed, ends.at(-2)!) : '';
  if (complete) return complete;
  return cutBeforeUnfinishedWord(trimmed);
}

/** Drops a last word that may have been cut (nothing follows it) and ends with `…`. */
function cutBeforeUnfinishedWord(text: string): string {
  let lastWordEnd = 0;
  let previousWordEnd = 0;
  for (const { segment, index, isWordLike } of words.segment(text)) {
    if (!isWordLike) continue;
    previousWordEnd = lastWordEnd;
    lastWordEnd = index + segment.length;
  }
  const end = lastWordEnd === text.trimEnd().length ? previousWordEnd : lastWordEnd;
  // A single word cut off: kept as it is, marked unfinished.
  const kept = text.slice(0, end).replace(trailingJoiners, '') || text.trimEnd().replace(trailingJoiners, '');
  return kept ? `${kept}${ellipsis}` : '';
}

/**
 * What a streamed answer may show so far: never past where the final text could be cut, and
 * only ever growing — the text so far up to 1.2× the target, then that prefix, frozen. (Snapping
 * back to a sentence boundary once the answer ran past the cut made the preview shorter than what
 * a native stream had already shown: a stream can only grow, so it stalled there, and a kill in
 * that state left a message its retry did not take over.) The final write puts the answer cut at
 * a sentence boundary in its place.
 */
export function streamingPreview(textSoFar: string, targetChars: number): string {
  const soft = Math.floor(targetChars * softOvershoot);
  if (textSoFar.length <= soft) return textSoFar;
  let kept = '';
  for (const character of textSoFar) {
    if (kept.length + character.length > soft) break;
    kept += character;
  }
  return kept;
}

/**
 * True once the text so far decides the post: `cutToLength` reads no further than `hardOvershoot`
 * × the target plus its lookahead, so an answer past that point is cut the same whatever the model
 * would still write — the caller may end the model's stream there (the time and tokens of the
 * rest would be thrown away; an endpoint that ignores `max_tokens` would otherwise go on and on).
 */
export function answerDecided(textSoFar: string, targetChars: number): boolean {
  return targetChars > 0 && textSoFar.trim().length > Math.floor(targetChars * hardOvershoot) + lookahead;
}

/**
 * The text to post for a finished answer: an answer cut off by its cap (`length`) loses its
 * unfinished end, then the whole is cut to its target length.
 */
export function finishAnswer(text: string, options: { targetChars: number; finishReason?: string | undefined }): string {
  const complete = options.finishReason === 'length' ? trimToCompleteSentences(text) : text;
  return cutToLength(complete, options.targetChars);
}
