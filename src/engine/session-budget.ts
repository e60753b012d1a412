/**
 * When the step machine folds the rolling summary early: the session context (topic, roster,
 * images, summary, discussion window) is shared by every model that reads the session, so it is
 * sized for the smallest window among them — each persona's model and the summary model — less
 * the largest completion a persona call reserves (an image story's), the static rules, the longest
 * speaker part (a persona card, or one line when the cards are in the context) and an instruction
 * allowance.
 *
 * A fold for size keeps the newest entries that fill half of what is left once the summary has its
 * room, so the window can grow again for a while before the next fold (each fold changes the
 * prompt's prefix, and so costs the providers' prompt caches one miss).
 */
import { capFor, lengthTargets, softOvershoot } from '../prompts/answer-length.ts';
import { promptAllowance } from '../prompts/context-budget.ts';
import { charsForTokens, completionTokensForChars, estimateTokens, messageOverheadTokens, replyPrimingTokens, type Script } from '../prompts/token-estimate.ts';
import { rulesPrompt, sessionScript, speakerPart, type PromptInputs } from './prompt-builder.ts';
import { cardsShared, formatEntry, sessionContext, sessionWindow, wholeView } from './session-context.ts';
import type { Templates } from '../prompts/render-template.ts';
import type { Panel } from '../panels/panel-schema.ts';

/** Tokens kept for the instruction of any persona call (an image story's quotes a 1,200-character description). */
export const instructionAllowanceTokens = 500;

export { sessionWindow } from './session-context.ts';

/**
 * The rolling summary's target length (characters): 1,500, or what a quarter of a small window's
 * prompt room holds, whichever is less (never below 300).
 */
export function rollingSummaryTarget(windowTokens: number, script: Script): number {
  const quarter = promptAllowance({ windowTokens, reserveTokens: 0 }) / 4;
  return Math.max(300, Math.min(lengthTargets.rollingSummary, charsForTokens(quarter, script)));
}

export interface FoldDecision {
  /** The session context as it stands does not fit the smallest window. */
  overflows: boolean;
  /** Of `inputs.recent`, how many of the newest to keep verbatim when folding for size. */
  keepEntries: number;
  /** The largest persona prompt as it would be sent now (fitted), and the completion it reserves. */
  promptTokens: number;
  reserveTokens: number;
}

/** The rules and the longest speaker part, by template set, panel and whether the cards are shared (fixed for a session). */
const fixedTokensKnown = new WeakMap<Templates, WeakMap<Panel, Map<boolean, number>>>();

function fixedPromptTokens(inputs: PromptInputs): number {
  const { templates, panel } = inputs;
  const shared = cardsShared(inputs);
  const byPanel = fixedTokensKnown.get(templates) ?? new WeakMap<Panel, Map<boolean, number>>();
  fixedTokensKnown.set(templates, byPanel);
  const byShared = byPanel.get(panel) ?? new Map<boolean, number>();
  byPanel.set(panel, byShared);
  let tokens = byShared.get(shared);
  if (tokens === undefined) {
    const longestCard = Math.max(0, ...panel.personas.map((persona) => estimateTokens(speakerPart(inputs, persona))));
    tokens = estimateTokens(rulesPrompt(templates)) + longestCard;
    byShared.set(shared, tokens);
  }
  return tokens;
}

export function foldDecision(inputs: PromptInputs): FoldDecision {
  const windowTokens = sessionWindow(inputs);
  const { fit, recent, panel } = inputs;
  const whole = estimateTokens(sessionContext(inputs));
  if (!fit || windowTokens === undefined) return { overflows: false, keepEntries: recent.length, promptTokens: whole, reserveTokens: 0 };
  const script = sessionScript(inputs);
  const models = new Set(panel.personas.map((persona) => persona.model ?? fit.chatModel));
  const reserveTokens = Math.max(...[...models].map((model) => capFor(lengthTargets.story, { script, model, structured: true, windowTokens })));
  const fixedTokens = fixedPromptTokens(inputs) + instructionAllowanceTokens + 3 * messageOverheadTokens + replyPrimingTokens;
  const allowance = promptAllowance({ windowTokens, reserveTokens }, { structured: true }) - fixedTokens;
  const promptTokens = fixedTokens + Math.min(whole, allowance);
  if (whole <= allowance) return { overflows: false, keepEntries: recent.length, promptTokens, reserveTokens };
  const bare = estimateTokens(sessionContext(inputs, { ...wholeView(inputs), entries: [], summary: '' }));
  const summaryRoom = completionTokensForChars(Math.ceil(rollingSummaryTarget(windowTokens, script) * softOvershoot), script);
  const room = (allowance - bare - summaryRoom) / 2;
  let keepEntries = 0;
  let used = 0;
  for (const entry of [...recent].reverse()) {
    used += estimateTokens(formatEntry(entry)) + 1;
    if (used > room) break;
    keepEntries++;
  }
  return { overflows: true, keepEntries: Math.max(1, keepEntries), promptTokens, reserveTokens };
}
