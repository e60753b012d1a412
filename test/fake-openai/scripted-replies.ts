/** Ready-made reply handlers: the defaults, and a script that hands out replies in order. */
import type { ChatReply, ImageReply, RecordedRequest } from './fake-openai-types.ts';
import { chatRequestBodySchema, imageRequestBodySchema, lastUserText } from './request-body.ts';

/** The prefix of the default chat reply, so tests can predict it. */
export const DEFAULT_REPLY_PREFIX = 'Fake reply to: ';

/**
 * Deterministic: echoes the last user message as `Fake reply to: <text>`. When `response_format`
 * asks for JSON (`json_object` or `json_schema`) it answers `{"reply": "<same text>"}` instead.
 */
export function defaultChatReply(request: RecordedRequest): ChatReply {
  const parsed = chatRequestBodySchema.safeParse(request.body);
  if (!parsed.success) return { kind: 'text', text: DEFAULT_REPLY_PREFIX };
  const text = DEFAULT_REPLY_PREFIX + lastUserText(parsed.data);
  const formatType = parsed.data.response_format?.type;
  if (formatType === 'json_object' || formatType === 'json_schema') return { kind: 'json', value: { reply: text } };
  return { kind: 'text', text };
}

/** Follows the request's `response_format`: `url` gives URLs, anything else base64. */
export function defaultImageReply(request: RecordedRequest): ImageReply {
  const parsed = imageRequestBodySchema.safeParse(request.body);
  return parsed.success && parsed.data.response_format === 'url' ? { kind: 'url' } : { kind: 'b64' };
}

/**
 * Hands out `replies` in call order (its own count, independent of the server's request index),
 * then defers to `whenExhausted`. Without `whenExhausted`, an extra request makes the handler throw,
 * which the server answers with a non-retryable 500 naming the problem.
 */
export function scriptedReplies<Reply>(
  replies: readonly Reply[],
  whenExhausted?: (request: RecordedRequest, index: number) => Reply | Promise<Reply>,
): (request: RecordedRequest, index: number) => Reply | Promise<Reply> {
  let next = 0;
  return (request, index) => {
    const position = next++;
    const reply = replies[position];
    if (position < replies.length && reply !== undefined) return reply;
    if (whenExhausted) return whenExhausted(request, index);
    throw new Error(`fake-openai: scripted replies exhausted (${replies.length} scripted, request ${position + 1})`);
  };
}
