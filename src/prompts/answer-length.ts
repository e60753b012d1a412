/**
 * Completion caps (`max_tokens`) derived from what a call is asked to write, never from one
 * global number: a persona turn, a keyword list and the rolling summary differ by an order of
 * magnitude. A cap is the tokens of `hardOvershoot` × the target length in the session's script
 * (token-estimate.ts), plus a little slack, plus hidden reasoning for models that think before
 * they answer — whose `max_tokens` counts the thinking too (OpenAI's o-series, DeepSeek R1 and
 * its distills, QwQ, Qwen 3, gpt-oss, Magistral, Gemini 2.5): a cap sized for the answer alone
 * would end them mid-thought with nothing to show.
 *
 * The cap is also what the prompt leaves free of the context window (context-budget.ts), so a
 * generous cap shrinks the prompt; `capFor` never lets it take more than half the window.
 */
import { completionTokensForChars, type Script } from './token-estimate.ts';

/** Posts are cut at a sentence within this multiple of their target length (sentence-cut.ts)... */
export const softOvershoot = 1.2;
/** ...and never exceed this one. The cap lets a model finish a sentence up to here. */
export const hardOvershoot = 1.5;
/** Tokens beyond the target's: a label the model adds, Markdown, a closing quote. */
export const capSlackTokens = 32;
/** A structured answer's JSON syntax and field names. */
export const structuredSlackTokens = 64;
/** Thinking a reasoning model does before it answers, counted against its cap. */
export const reasoningTokens = 2_048;

/** What each kind of call is asked to write, in characters (the prompts name the same lengths). */
export const lengthTargets = {
  introduction: 300,
  round: 400,
  reply: 350,
  reflection: 400,
  story: 500,
  /** 5–10 keywords of one to four words. */
  keywords: 300,
  /** A few numbers and one sentence of reason. */
  ballot: 300,
  /** Upper bound; the rolling summary's target shrinks with a small window (context-budget.ts). */
  rollingSummary: 1_500,
  pause: 900,
} as const;

export type LengthTarget = keyof typeof lengthTargets;

/** What personas say, which a session preset's turn-length scale applies to (lists, ballots and summaries keep their lengths). */
export const speechTargets = ['introduction', 'round', 'reply', 'reflection', 'story'] as const satisfies readonly LengthTarget[];
export type SpeechTarget = (typeof speechTargets)[number];

/** A scaled speaking length is never asked below this (characters): a sentence or two. */
export const shortestScaledChars = 40;

/**
 * A speaking length (characters) under a preset's turn-length scale (src/panels/presets.ts):
 * rounded, never below `shortestScaledChars`; 0 stays 0 ("no minimum"). The completion cap
 * follows, since `capFor` is computed from the scaled target.
 */
export function scaleLength(chars: number, scale: number): number {
  if (chars === 0 || scale === 1) return chars;
  return Math.max(shortestScaledChars, Math.round(chars * scale));
}

const reasoningNames = /(^|[^a-z0-9])(o[1345]|r1)([^a-z0-9]|$)|qwq|reason|think|gpt-5|gpt-oss|magistral|gemini-2\.5|qwen-?3(?!.*instruct)/i;

/** True for models that spend hidden tokens thinking before the visible answer. */
export function isReasoningModel(model: string): boolean {
  return reasoningNames.test(model);
}

export interface CapOptions {
  script: Script;
  model: string;
  /** A JSON answer (image story, keywords, ballot). */
  structured?: boolean;
  /** The model's window: the cap never takes more than half of it. */
  windowTokens?: number;
}

/** `max_tokens` for an answer of `targetChars` characters. */
export function capFor(targetChars: number, options: CapOptions): number {
  const answer = completionTokensForChars(Math.ceil(targetChars * hardOvershoot), options.script) + capSlackTokens + (options.structured ? structuredSlackTokens : 0);
  const cap = answer + (isReasoningModel(options.model) ? reasoningTokens : 0);
  return options.windowTokens ? Math.max(64, Math.min(cap, Math.floor(options.windowTokens / 2))) : cap;
}
