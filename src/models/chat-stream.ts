/**
 * Reads one streamed chat completion: the visible text (reasoning removed, handed to `onText`
 * each time it grows), the usage (from the chunk that carries it, the last with
 * `stream_options.include_usage`) and the finish reason (the last one given; none → `other`).
 * Every chunk is reported to the deadline; only one with a token (text, reasoning, a finish
 * reason, usage) ends its first-token phase — a role-only opening chunk does not.
 *
 * `onText` returning true ends the stream there (the caller has all it will use): the request is
 * closed (leaving a `for await` early aborts the SDK's HTTP request), the text so far is the
 * answer, its finish reason `enough`, and the completion's tokens, which no usage chunk reported,
 * are estimated from its length.
 *
 * Hazard: an abort (ours or the caller's) ends the SDK's iteration quietly, so what this returns
 * after an abort is a fragment, not an answer; the caller checks its signals afterwards.
 */
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { completionTokensForChars, dominantScript } from '../prompts/token-estimate.ts';
import { mapFinishReason, type FinishReason } from './finish-reason.ts';
import type { Usage } from './model-gateway.ts';
import { ReasoningFilter } from './reasoning-filter.ts';
import type { StreamDeadline } from './stream-deadline.ts';

export interface StreamedAnswer {
  text: string;
  usage: Usage;
  finishReason: FinishReason;
}

export async function readChatStream(stream: AsyncIterable<ChatCompletionChunk>, deadline: StreamDeadline, onText?: (textSoFar: string) => boolean | void): Promise<StreamedAnswer> {
  const filter = new ReasoningFilter();
  let usage: Usage = { promptTokens: 0, completionTokens: 0 };
  let lastVisible = '';
  let finish: string | null | undefined;
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    const delta = choice?.delta;
    // `reasoning_content` (DeepSeek, vLLM, llama.cpp …) is never shown, but it is the model at work.
    const reasoning = (delta as { reasoning_content?: unknown } | undefined)?.reasoning_content;
    deadline.chunk(Boolean(delta?.content || reasoning || choice?.finish_reason || chunk.usage));
    if (chunk.usage) usage = { promptTokens: chunk.usage.prompt_tokens ?? 0, completionTokens: chunk.usage.completion_tokens ?? 0 };
    if (choice?.finish_reason) finish = choice.finish_reason;
    if (delta?.content) {
      const visible = filter.push(delta.content);
      if (visible !== lastVisible) {
        lastVisible = visible;
        if (onText?.(visible) === true) {
          const text = filter.end();
          return { text, usage: { ...usage, completionTokens: usage.completionTokens || completionTokensForChars(text.length, dominantScript(text)) }, finishReason: 'enough' };
        }
      }
    }
  }
  return { text: filter.end(), usage, finishReason: mapFinishReason(finish) };
}
