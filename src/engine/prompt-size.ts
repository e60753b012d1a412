/**
 * The /status line about the last persona prompt: its estimated size against its model's window
 * (meta.promptStats, recorded by the speech steps), so an operator sees how close a session runs
 * to the window before a provider refuses it. Numbers and the model name only; English digits
 * grouping (it is an operator's figure, not prose).
 */
import type { PromptStats } from '../session/session-types.ts';

/** "Prompt: ~3,100 of 8,192 tokens (gpt-x), 232 kept for the answer". */
export function formatPromptSize(stats: PromptStats): string {
  const number = (value: number) => value.toLocaleString('en');
  const window = stats.windowTokens > 0 ? ` of ${number(stats.windowTokens)}` : '';
  const reserve = stats.reserveTokens > 0 ? `, ${number(stats.reserveTokens)} kept for the answer` : '';
  return `Prompt: ~${number(stats.promptTokens)}${window} tokens (${stats.model || 'default model'})${reserve}`;
}
