/**
 * How many prompt tokens one call may send: the model's window, less the completion it is allowed
 * (its `max_tokens`, which OpenAI counts against the window and llama.cpp needs room for), less a
 * margin for what the estimate cannot see (the server's chat template, a tokenizer worse than
 * the estimate's rates, the JSON-schema instruction the gateway appends to structured calls).
 * All units are tokens.
 */

/** Kept free besides the completion: 5 % of the window, at least this many tokens. */
export const minimumMarginTokens = 256;
/** The gateway's JSON instruction (the schema as text) and a corrective retry's extra turn. */
export const structuredPromptTokens = 400;

export interface ContextBudget {
  /** The model's context window. */
  windowTokens: number;
  /** The completion cap the call sends (and the prompt leaves free). */
  reserveTokens: number;
}

export function marginTokens(windowTokens: number): number {
  return Math.max(minimumMarginTokens, Math.round(windowTokens * 0.05));
}

/** Prompt tokens the call may use; a structured call also leaves room for the schema instruction. */
export function promptAllowance(budget: ContextBudget, options: { structured?: boolean } = {}): number {
  const free = budget.windowTokens - budget.reserveTokens - marginTokens(budget.windowTokens) - (options.structured ? structuredPromptTokens : 0);
  // However small the window, the static rules and the instruction still go out; the provider decides.
  return Math.max(256, free);
}

/**
 * The window to assume after the provider refused a prompt as too long: the window it named, if
 * that is smaller than the one the prompt was fitted to; else half of what the refused call asked
 * for (`sentTokens`: its prompt and completion cap, as estimated) — the estimate missed or the
 * name promised more than the server runs, and half the room is the one step that surely fits
 * next time.
 */
export function windowAfterOverflow(fittedWindow: number, learned: number | undefined, sentTokens: number): number {
  if (learned !== undefined && learned > 0 && learned < fittedWindow) return learned;
  return Math.max(1_024, Math.floor(Math.min(fittedWindow, sentTokens) / 2));
}
