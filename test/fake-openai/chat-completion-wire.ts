/**
 * Pure builders for OpenAI's chat completion wire objects: `chat.completion` (non-streaming) and
 * `chat.completion.chunk` (one SSE event each). Shapes follow the public API reference.
 */

export interface CompletionIdentity {
  id: string;
  /** Unix time in seconds. */
  created: number;
  model: string;
}

export interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: { reasoning_tokens: number; audio_tokens: number; accepted_prediction_tokens: number; rejected_prediction_tokens: number };
}

export interface ChunkDelta {
  role?: 'assistant';
  content?: string;
  reasoning_content?: string;
}

/** The finish reasons the fake sends; `null` on every chunk but the last. */
export type FinishReason = 'stop' | 'length' | 'content_filter';

/** Rough token count (≈ 4 characters a token, at least 1 for non-empty text). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function wireUsage(promptTokens: number, completionTokens: number, reasoningTokens = 0): WireUsage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: reasoningTokens, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/** Splits by code point so a chunk never ends inside a surrogate pair. Empty text gives no pieces. */
export function splitIntoPieces(text: string, piecesSize: number): string[] {
  const codePoints = Array.from(text);
  const size = Math.max(1, Math.floor(piecesSize));
  const pieces: string[] = [];
  for (let start = 0; start < codePoints.length; start += size) pieces.push(codePoints.slice(start, start + size).join(''));
  return pieces;
}

export function chatCompletion(identity: CompletionIdentity, content: string, reasoning: string | undefined, usage: WireUsage, finishReason: FinishReason | null = 'stop'): object {
  const message: Record<string, unknown> = { role: 'assistant', content, refusal: null, annotations: [] };
  if (reasoning !== undefined) message.reasoning_content = reasoning;
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
    usage,
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  };
}

/**
 * One streamed chunk. With `stream_options.include_usage`, OpenAI puts `usage: null` on every chunk
 * except the last, which has empty `choices` (see `usageChunk`).
 */
export function chatCompletionChunk(identity: CompletionIdentity, delta: ChunkDelta, finishReason: FinishReason | null, includeUsage: boolean): object {
  return {
    id: identity.id,
    object: 'chat.completion.chunk',
    created: identity.created,
    model: identity.model,
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  };
}

export function usageChunk(identity: CompletionIdentity, usage: WireUsage): object {
  return {
    id: identity.id,
    object: 'chat.completion.chunk',
    created: identity.created,
    model: identity.model,
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
    choices: [],
    usage,
  };
}
