/**
 * A conservative token count without a tokenizer: what a prompt costs, and what a completion of
 * so many characters needs.
 *
 * Why no tokenizer: the panel's models differ (OpenAI's o200k, Llama 3's tiktoken-like BPE,
 * Qwen's, Gemma's SentencePiece, whatever a local server loads), their vocabularies are tens of
 * megabytes, and none of them is the one a self-hosted server uses unless we ask it. A prompt
 * that fits by a generous estimate fits every one of them; overestimating costs a little window,
 * underestimating costs a refused turn (llama.cpp) or a prompt silently cut from the front
 * (Ollama). So every rate below errs high:
 * - CJK ideographs, kana, hangul, CJK punctuation and full-width forms: 1 token per character
 *   (Llama 3 / GPT-4o: ~0.7–1; older vocabularies more for rare characters — hence the
 *   completion headroom below);
 * - ASCII and Latin letters (Latin-1, Latin Extended A/B): 1 token per 3 characters (English runs
 *   ~4 characters a token, German/French ~3.5);
 * - other scripts (Cyrillic, Greek, Arabic, Hebrew, Indic, Thai, Vietnamese diacritics, general
 *   punctuation): 1 token per 2 characters;
 * - astral-plane characters (emoji, rare ideographs): 2 tokens each;
 * - per message: 8 tokens of chat template (role markers, separators), plus 4 priming the reply.
 * Characters are code points (an emoji is one character here, two UTF-16 units in `length`).
 */
import type { ChatMessage } from '../models/model-gateway.ts';
import { hasPrefix } from '../has-prefix.ts';

/** Chat-template tokens around each message (role header, end-of-turn marker). */
export const messageOverheadTokens = 8;
/** Tokens the template adds to prime the assistant's reply. */
export const replyPrimingTokens = 4;
/** What an image part of a message is counted as (only the vision call sends one). */
export const imagePartTokens = 1_000;

export type Script = 'cjk' | 'latin' | 'other';

export function isCjkCodePoint(codePoint: number): boolean {
  return (
    (codePoint >= 0x1100 && codePoint <= 0x11ff) || // Hangul Jamo
    (codePoint >= 0x2e80 && codePoint <= 0x2fdf) || // CJK radicals, Kangxi
    (codePoint >= 0x3000 && codePoint <= 0x33ff) || // CJK symbols and punctuation, kana, bopomofo, compatibility
    (codePoint >= 0x3400 && codePoint <= 0x4dbf) || // CJK Extension A
    (codePoint >= 0x4e00 && codePoint <= 0x9fff) || // CJK Unified Ideographs
    (codePoint >= 0xa960 && codePoint <= 0xa97f) || // Hangul Jamo Extended-A
    (codePoint >= 0xac00 && codePoint <= 0xd7af) || // Hangul syllables
    (codePoint >= 0xf900 && codePoint <= 0xfaff) || // CJK compatibility ideographs
    (codePoint >= 0xff00 && codePoint <= 0xffef) // half-width and full-width forms
  );
}

function scriptOf(codePoint: number): Script {
  if (codePoint < 0x250) return 'latin';
  if (isCjkCodePoint(codePoint)) return 'cjk';
  return 'other';
}

/** Tokens per character of each script, as counted in a prompt. */
const promptRates: Record<Script, number> = { cjk: 1, latin: 1 / 3, other: 1 / 2 };

/** Texts at least this long are remembered with their counts (a step estimates its session context, the rules and the cards more than once). */
const rememberedFrom = 256;
const remembered: { text: string; counts: TokenCounts }[] = [];
const rememberedKept = 8;

/** Characters of a text by how they are counted (`tokensOf` weighs them). */
interface TokenCounts {
  cjk: number;
  latin: number;
  other: number;
  astral: number;
}

/** Estimated tokens of a text (never less than the true count of common tokenizers, by design). */
export function estimateTokens(text: string): number {
  return tokensOf(countsOf(text));
}

/**
 * `estimateTokens(parts.join(''))`, exactly, from each part's counts — a prompt that joins a long
 * context estimated a moment before with a short instruction is not counted again from the start.
 */
export function estimateJoinedTokens(parts: readonly string[]): number {
  const total: TokenCounts = { cjk: 0, latin: 0, other: 0, astral: 0 };
  let previous = '';
  for (const part of parts) {
    if (part.length === 0) continue;
    addCounts(total, countsOf(part), previous.charCodeAt(previous.length - 1), part.charCodeAt(0));
    previous = part;
  }
  return tokensOf(total);
}

function countsOf(text: string): TokenCounts {
  if (text.length < rememberedFrom) return countCharacters(text);
  for (const known of remembered) if (known.text === text) return known.counts;
  const counts = extendedCounts(text) ?? countCharacters(text);
  remembered.push({ text, counts });
  if (remembered.length > rememberedKept) remembered.shift();
  return counts;
}

/**
 * The counts of a text that extends a remembered one (a session context is the previous step's
 * with the newest entries appended): the remembered counts plus the new end's. `hasPrefix` is a
 * comparison of memory, far cheaper than counting the text again. Undefined when none does.
 */
function extendedCounts(text: string): TokenCounts | undefined {
  for (let index = remembered.length - 1; index >= 0; index--) {
    const known = remembered[index]!;
    if (known.text.length >= text.length || !hasPrefix(text, known.text)) continue;
    const counts = { ...known.counts };
    addCounts(counts, countCharacters(text.slice(known.text.length)), known.text.charCodeAt(known.text.length - 1), text.charCodeAt(known.text.length));
    return counts;
  }
  return undefined;
}

/**
 * Adds the counts of a text to `total`, the counts of the text before it; `unitBefore` and
 * `unitAfter` are the UTF-16 units either side of the join. A surrogate pair split there was
 * counted apart as two `other` (a text's last unit is never the first of a pair within it);
 * joined, it is one astral character.
 */
function addCounts(total: TokenCounts, counts: TokenCounts, unitBefore: number, unitAfter: number): void {
  total.cjk += counts.cjk;
  total.latin += counts.latin;
  total.other += counts.other;
  total.astral += counts.astral;
  if (isHighSurrogate(unitBefore) && isLowSurrogate(unitAfter)) {
    total.other -= 2;
    total.astral += 1;
  }
}

function tokensOf(counts: TokenCounts): number {
  // Counted per class, then weighted once: summing thirds would drift by floating-point error.
  return counts.cjk + 2 * counts.astral + Math.ceil(counts.latin / 3 + counts.other / 2 - 1e-9);
}

/** Runs of UTF-16 units that are not Latin (`unit < 0x250`): most prompts are mostly Latin. */
const nonLatinRuns = /[\u0250-\uffff]+/g;

function countCharacters(text: string): TokenCounts {
  // Latin units are the rest of the text, found by the regex engine (its scan is several times
  // faster than a loop of charCodeAt: a 15 KB English context, 11 µs instead of 35–47); only the
  // runs of other units are looked at one by one. By UTF-16 units, not `for…of` (which makes a
  // string per character); a surrogate pair is one astral character, a lone surrogate counts as
  // `other`, as a code point iterator sees them (a pair never straddles a run's end: both halves
  // are ≥ 0xd800).
  let cjk = 0;
  let other = 0;
  let astral = 0;
  let nonLatin = 0;
  nonLatinRuns.lastIndex = 0;
  for (let run = nonLatinRuns.exec(text); run !== null; run = nonLatinRuns.exec(text)) {
    const end = run.index + run[0].length;
    nonLatin += run[0].length;
    for (let index = run.index; index < end; index++) {
      const unit = text.charCodeAt(index);
      if (unit >= 0xd800 && unit <= 0xdbff && index + 1 < end && isLowSurrogate(text.charCodeAt(index + 1))) {
        astral++;
        index++;
      } else if (isCjkCodePoint(unit)) cjk++;
      else other++;
    }
  }
  return { cjk, latin: text.length - nonLatin, other, astral };
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** Whether each BMP code point is a letter (`\p{L}`), looked up once per code point: 0 unknown, 1 yes, 2 no. */
const bmpLetters = new Uint8Array(0x10000);

function isLetter(codePoint: number): boolean {
  if (codePoint < 0x80) return (codePoint >= 0x41 && codePoint <= 0x5a) || (codePoint >= 0x61 && codePoint <= 0x7a);
  if (codePoint > 0xffff) return /\p{L}/u.test(String.fromCodePoint(codePoint));
  let known = bmpLetters[codePoint]!;
  if (known === 0) {
    known = /\p{L}/u.test(String.fromCharCode(codePoint)) ? 1 : 2;
    bmpLetters[codePoint] = known;
  }
  return known === 1;
}

/** Estimated tokens of a chat request's messages, template overhead included. */
export function estimateMessagesTokens(messages: readonly ChatMessage[]): number {
  let tokens = replyPrimingTokens;
  for (const message of messages) {
    tokens += messageOverheadTokens;
    const content = 'content' in message ? message.content : undefined;
    if (typeof content === 'string') tokens += estimateTokens(content);
    else if (Array.isArray(content)) {
      for (const part of content as { type: string; text?: string }[]) tokens += part.type === 'text' ? estimateTokens(part.text ?? '') : imagePartTokens;
    }
  }
  return tokens;
}

/**
 * The script a text is mostly written in, for sizing completions: `cjk` when at least a fifth of
 * its letters are CJK (a Chinese post quoting an English name is still Chinese), else `other`
 * when a fifth are of another non-Latin script, else `latin`.
 */
export function dominantScript(text: string): Script {
  if (text.length < rememberedFrom) return countScripts(text);
  for (const known of rememberedScripts) if (known.text === text) return known.script;
  const script = countScripts(text);
  rememberedScripts.push({ text, script });
  if (rememberedScripts.length > rememberedKept) rememberedScripts.shift();
  return script;
}

const rememberedScripts: { text: string; script: Script }[] = [];

/** Letters of each script in a text, counting at most `lettersCounted` letters from its start. */
interface ScriptCounts {
  cjk: number;
  latin: number;
  other: number;
  seen: number;
}

const lettersCounted = 4_000;

function scriptCounts(text: string): ScriptCounts {
  const counts: ScriptCounts = { cjk: 0, latin: 0, other: 0, seen: 0 };
  for (let index = 0; index < text.length && counts.seen < lettersCounted; index++) {
    const codePoint = text.codePointAt(index)!;
    if (codePoint > 0xffff) index++;
    if (!isLetter(codePoint)) continue;
    counts[scriptOf(codePoint)]++;
    counts.seen++;
  }
  return counts;
}

function scriptFrom(counts: ScriptCounts): Script {
  if (counts.seen === 0) return 'latin';
  if (counts.cjk / counts.seen >= 0.2) return 'cjk';
  if (counts.other / counts.seen >= 0.2) return 'other';
  return 'latin';
}

function countScripts(text: string): Script {
  return scriptFrom(scriptCounts(text));
}

/** Each part's counts by its text: a session's entries recur in step after step's window. */
const partCounts = new Map<string, ScriptCounts>();
const partCountsKept = 4_096;

/**
 * `dominantScript` of the parts joined by newlines, from each part's remembered counts (the same
 * answer: a newline is no letter, and below `lettersCounted` letters in all every letter counts).
 */
export function dominantScriptOf(parts: readonly string[]): Script {
  const total: ScriptCounts = { cjk: 0, latin: 0, other: 0, seen: 0 };
  for (const part of parts) {
    let counts = partCounts.get(part);
    if (counts === undefined) {
      counts = scriptCounts(part);
      if (partCounts.size >= partCountsKept) partCounts.delete(partCounts.keys().next().value!);
      partCounts.set(part, counts);
    }
    total.cjk += counts.cjk;
    total.latin += counts.latin;
    total.other += counts.other;
    total.seen += counts.seen;
    // Past the cap, which letters count depends on where the joined text reaches it.
    if (total.seen >= lettersCounted) return dominantScript(parts.join('\n'));
  }
  return scriptFrom(total);
}

/**
 * Tokens a completion of `chars` characters in `script` may take: the prompt rates, with extra
 * headroom for CJK (rare characters cost a vocabulary without them 2–3 byte tokens).
 */
export function completionTokensForChars(chars: number, script: Script): number {
  const rate = script === 'cjk' ? 1.25 : promptRates[script];
  return Math.ceil(chars * rate);
}

/** The most characters of `script` that fit in `tokens` by the prompt rates (the inverse estimate). */
export function charsForTokens(tokens: number, script: Script): number {
  return Math.max(0, Math.floor(tokens / promptRates[script]));
}
