/**
 * One-message prompts over the discussion — the rolling-summary fold, the pause synthesis, the
 * closing summary — fitted to the summary model's window like the persona prompts are
 * (fit-to-window.ts): the template's fixed text is kept, the transcript and the earlier summary
 * give way. Pure.
 */
import type { ChatMessage } from '../models/model-gateway.ts';
import { promptAllowance } from '../prompts/context-budget.ts';
import { estimateMessagesTokens } from '../prompts/token-estimate.ts';
import type { TranscriptEntry } from '../session/session-types.ts';
import { fitToWindow } from './fit-to-window.ts';
import { formatEntry } from './session-context.ts';

export interface TranscriptPromptRequest {
  /** The whole prompt from the shown transcript (entries, one a line) and summary. */
  render(transcript: string, summary: string): string;
  entries: TranscriptEntry[];
  summary: string;
  windowTokens: number;
  /** The call's completion cap (`max_tokens`). */
  reserveTokens: number;
  /** `fold`: entries are clipped before any is left out (they are summarised once, or never). */
  order: 'window' | 'fold';
  /** A structured (JSON) call: room for the schema instruction the gateway appends. */
  structured?: boolean;
}

export interface TranscriptPrompt {
  messages: ChatMessage[];
  promptTokens: number;
  /** False when even the smallest view did not fit (the provider will decide). */
  fits: boolean;
}

export function fitTranscriptPrompt(request: TranscriptPromptRequest): TranscriptPrompt {
  const messageTokens = estimateMessagesTokens([{ role: 'user', content: '' }]);
  const allowanceTokens = promptAllowance({ windowTokens: request.windowTokens, reserveTokens: request.reserveTokens }, { structured: request.structured ?? false }) - messageTokens;
  const fitted = fitToWindow({
    entries: request.entries,
    summary: request.summary,
    render: (view) => request.render(view.entries.map((entry) => formatEntry(entry, view.entryClipChars)).join('\n'), view.summary),
    allowanceTokens,
    order: request.order,
  });
  const messages: ChatMessage[] = [{ role: 'user', content: fitted.text }];
  return { messages, promptTokens: estimateMessagesTokens(messages), fits: fitted.fits };
}
