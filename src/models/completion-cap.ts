/**
 * The completion cap for a structured answer that was cut off (finish reason `length`): asking
 * again with the same cap gets the same cut, so the second ask doubles it — never above
 * `JSON_COMPLETION_CEILING_TOKENS` (8192: more than any answer our schemas describe, and the
 * whole window of the small local models we run on), and never beyond what the model's context
 * window leaves after the prompt, when both are known. Returns `cap` itself when it cannot grow:
 * the caller then asks for a shorter answer instead.
 */
export const JSON_COMPLETION_CEILING_TOKENS = 8192;

export function grownCompletionCap(cap: number, promptTokens: number | undefined, contextTokens: number | undefined): number {
  let grown = Math.min(cap * 2, Math.max(cap, JSON_COMPLETION_CEILING_TOKENS));
  if (contextTokens !== undefined && promptTokens !== undefined && promptTokens > 0) grown = Math.min(grown, contextTokens - promptTokens);
  return Math.max(cap, grown);
}
