/**
 * Minimal, lenient zod schemas for the request fields the fake reads. Everything else in a body is
 * ignored here and kept unchanged in the recorded request.
 */
import { z } from 'zod';

const contentPartSchema = z.looseObject({ type: z.string(), text: z.string().optional() });

const messageSchema = z.looseObject({
  role: z.string(),
  content: z.union([z.string(), z.array(contentPartSchema), z.null()]).optional(),
});

export const chatRequestBodySchema = z.looseObject({
  model: z.string(),
  messages: z.array(messageSchema),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  response_format: z.looseObject({ type: z.string() }).nullish(),
});
export type ChatRequestBody = z.infer<typeof chatRequestBodySchema>;

export const imageRequestBodySchema = z.looseObject({
  prompt: z.string(),
  model: z.string().nullish(),
  n: z.number().int().positive().nullish(),
  response_format: z.enum(['url', 'b64_json']).nullish(),
});
export type ImageRequestBody = z.infer<typeof imageRequestBodySchema>;

/** Text of a message: the string content, or its `text` parts joined by newlines. */
export function messageText(message: ChatRequestBody['messages'][number]): string {
  const content = message.content;
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content.flatMap((part) => (part.type === 'text' && part.text !== undefined ? [part.text] : [])).join('\n');
}

/** Text of the last `user` message, or '' when there is none. */
export function lastUserText(body: ChatRequestBody): string {
  const lastUser = body.messages.findLast((message) => message.role === 'user');
  return lastUser ? messageText(lastUser) : '';
}
