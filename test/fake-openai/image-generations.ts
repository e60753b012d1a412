/** Writes one `POST /v1/images/generations` answer for a scripted `ImageReply`. */
import type { ServerResponse } from 'node:http';
import type { ImageReply } from './fake-openai-types.ts';
import { sendOpenAIError } from './openai-error.ts';

export interface ImageAnswerContext {
  /** The request's `n`, or 1. */
  requestedCount: number;
  png: Buffer;
  /** Registers a file to serve and returns its absolute URL (`.../files/<name>.png`). */
  publishPng: () => string;
}

export function answerImageGeneration(response: ServerResponse, reply: ImageReply, context: ImageAnswerContext): void {
  if (reply.kind === 'error') {
    sendOpenAIError(response, { status: reply.status, message: reply.message, code: reply.code, retryAfterSeconds: reply.retryAfterSeconds });
    return;
  }
  const count = reply.count ?? context.requestedCount;
  const base64 = (reply.kind === 'b64' && reply.bytes ? reply.bytes : context.png).toString('base64');
  const data = Array.from({ length: count }, () => (reply.kind === 'b64' ? { b64_json: base64 } : { url: reply.url ?? context.publishPng() }));
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ created: Math.floor(Date.now() / 1000), data }));
}
