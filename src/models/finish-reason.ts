/**
 * Why a completion ended, in four words the callers act on:
 * - `stop`: the model finished (OpenAI `stop`/`tool_calls`/`function_call`, llama.cpp `eos`,
 *   Anthropic-compatible `end_turn`/`stop_sequence`);
 * - `length`: the completion cap (or the context window) cut it off — the text is unfinished;
 * - `content_filter`: the provider withheld (part of) the answer;
 * - `enough`: the caller ended the stream itself — what it had was all it would use (a post
 *   already as long as it may be shown: sentence-cut.ts `decidedAt`);
 * - `other`: no reason given (a stream without one, a server that never sends it) or one we do
 *   not know. Treat as "probably finished" but do not rely on it.
 */
export type FinishReason = 'stop' | 'length' | 'content_filter' | 'enough' | 'other';

const known: Record<string, FinishReason> = {
  stop: 'stop',
  tool_calls: 'stop',
  function_call: 'stop',
  eos: 'stop',
  end_turn: 'stop',
  stop_sequence: 'stop',
  length: 'length',
  max_tokens: 'length',
  content_filter: 'content_filter',
};

export function mapFinishReason(raw: string | null | undefined): FinishReason {
  return raw && Object.hasOwn(known, raw) ? (known[raw] ?? 'other') : 'other';
}
