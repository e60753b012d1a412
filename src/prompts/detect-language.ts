/**
 * The language a piece of text is written in, as a code the bot uses (ISO 639-1 / BCP 47: `en`,
 * `zh`, `fr` …), or `undefined` when the text does not say: too short, a tie between close
 * languages, or a language we cannot name. Callers treat `undefined` as "no change".
 *
 * CJK first, by script: any kana is Japanese, Hangul is Korean, Han alone is Chinese (franc would
 * call kanji-heavy Japanese Chinese). Everything else is franc-min's trigram guess (82 languages
 * of 8M+ speakers: the full franc also knows Scots and Galician, and calls short English Scots
 * and Portuguese Galician). Its ISO 639-3 codes become ours through Intl's CLDR aliases
 * (`fra` → `fr`, `cmn` → `zh`, `arb` → `ar`).
 *
 * Hazard: trigrams on one chat line are weak. Short English is franc's usual miss ("A felt lamp
 * for student dorms" scores French, English a close second), so plain-ASCII text on which English
 * scores within `englishWithin` of the winner is read as English (other languages' sentences carry
 * diacritics or score English far lower); a near tie between two others decides nothing. The
 * session's rule (session-language.ts) still needs two people's messages to agree.
 */
import { francAll } from 'franc-min';

/** Fewer letters than this (CJK characters / other letters) decide nothing. */
export const minimumLetters = { cjk: 4, other: 20 } as const;
/** A runner-up scoring at least this (the winner scores 1) makes the guess a tie. */
const tieScore = 0.95;
/** Plain-ASCII text on which English scores at least this is English. */
const englishWithin = 0.75;
/** Where Intl keeps franc's individual-language code but people use the macrolanguage's. */
const codeOverrides: Record<string, string> = { zlm: 'ms' };

const englishNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });

/** Names by code: every prompt names its session's language, and `Intl.DisplayNames#of` is not cheap. Bounded: cleared when full. */
const names = new Map<string, string | null>();
const namesLimit = 512;

/** "Chinese" for `zh`, "Brazilian Portuguese" for `pt-BR`; undefined for a code Intl cannot name. */
export function languageName(code: string): string | undefined {
  const known = names.get(code);
  if (known !== undefined) return known ?? undefined;
  let name: string | undefined;
  try {
    name = englishNames.of(code);
  } catch {
    name = undefined;
  }
  if (names.size >= namesLimit) names.clear();
  names.set(code, name ?? null);
  return name;
}

/** The canonical form of a language code people typed (`ZH-cn` → `zh-CN`), or undefined when it is not one we can name. */
export function canonicalLanguage(code: string): string | undefined {
  try {
    const [canonical] = Intl.getCanonicalLocales(code.trim());
    return canonical && languageName(canonical) ? canonical : undefined;
  } catch {
    return undefined;
  }
}

export function detectLanguageCode(text: string): string | undefined {
  // Every step looks at the same recent messages again: each text is detected once (franc's
  // trigram distances were a tenth of a turn's CPU). Bounded: cleared when full.
  const known = detected.get(text);
  if (known !== undefined) return known ?? undefined;
  const code = detect(text);
  if (detected.size >= detectedLimit) detected.clear();
  detected.set(text, code ?? null);
  return code;
}

const detectedLimit = 1_000;
const detected = new Map<string, string | null>();

function detect(text: string): string | undefined {
  // Links, platform mentions and code say nothing about the language people write in.
  const prose = text.replace(/https?:\/\/\S+|<[@#!][^>]*>|`[^`]*`/g, ' ');
  const count = (pattern: RegExp) => prose.match(pattern)?.length ?? 0;
  const kana = count(/[\p{Script=Hiragana}\p{Script=Katakana}]/gu);
  const hangul = count(/\p{Script=Hangul}/gu);
  const cjk = count(/\p{Script=Han}/gu) + kana + hangul;
  const letters = count(/\p{L}/gu);
  if (cjk > 0 && cjk * 2 >= letters) {
    if (cjk < minimumLetters.cjk) return undefined;
    return kana > 0 ? 'ja' : hangul * 2 >= cjk ? 'ko' : 'zh';
  }
  if (letters < minimumLetters.other) return undefined;
  const scores = francAll(prose);
  const english = scores.find(([code]) => code === 'eng')?.[1] ?? 0;
  if (english >= englishWithin && /^[\x20-\x7e\s]*$/.test(prose)) return 'en';
  const [best, runnerUp] = scores;
  if (!best || best[0] === 'und' || (runnerUp && runnerUp[1] >= tieScore)) return undefined;
  const code = codeOverrides[best[0]] ?? canonicalLanguage(best[0]);
  return code && languageName(code) ? code : undefined;
}

/**
 * @deprecated The topic alone no longer decides: prompts say `promptLanguage(meta)`
 * (session-language.ts). Kept, with its old wording, until every caller has moved.
 */
export function detectLanguage(text: string): string {
  const code = detectLanguageCode(text);
  return (code && languageName(code)) ?? 'the same language as the topic (English if unsure)';
}
