/** Writes one `POST /v1/chat/completions` answer (streamed or not) for a scripted `ChatReply`. */
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChatReply } from './fake-openai-types.ts';
import type { ChatRequestBody } from './request-body.ts';
import { messageText } from './request-body.ts';
import type { CompletionIdentity, FinishReason, WireUsage } from './chat-completion-wire.ts';
import { chatCompletion, chatCompletionChunk, estimateTokens, splitIntoPieces, usageChunk, wireUsage } from './chat-completion-wire.ts';
import { sendOpenAIError } from './openai-error.ts';
import { SSE_HEADERS, writeSseDone, writeSseEvent } from './sse.ts';

const DEFAULT_CHUNK_SIZE = 8;

export interface ChatAnswerContext {
  identity: CompletionIdentity;
  body: ChatRequestBody;
  /** Aborts when the response closes (client gone, or the server is closing). */
  closed: AbortSignal;
}

interface AnswerPlan {
  content: string;
  reasoning: string | undefined;
  usage: WireUsage;
  chunkSize: number;
  chunkDelayMs: number;
  firstTokenDelayMs: number;
  /** Text chunks to send before going silent; undefined: all of them. */
  stallAfterChunks: number | undefined;
  finishReason: FinishReason | null;
}

export async function answerChatCompletion(response: ServerResponse, reply: ChatReply, context: ChatAnswerContext): Promise<void> {
  switch (reply.kind) {
    case 'error':
      sendOpenAIError(response, { status: reply.status, message: reply.message, code: reply.code, type: reply.type, fields: reply.fields, retryAfterSeconds: reply.retryAfterSeconds });
      return;
    case 'hang':
      // Leave the response open: only the client's timeout or FakeOpenAI.close() ends it.
      return;
    case 'cut':
      await answerCut(response, reply.text, context, reply.chunkDelayMs ?? 0);
      return;
    default: {
      const plan = planFor(reply, context.body);
      if (context.body.stream) await answerStreamed(response, plan, context);
      else {
        if (plan.firstTokenDelayMs > 0) await pause(plan.firstTokenDelayMs, context.closed);
        if (!context.closed.aborted) answerWhole(response, plan, context);
      }
    }
  }
}

function planFor(reply: Extract<ChatReply, { kind: 'text' | 'json' | 'empty' }>, body: ChatRequestBody): AnswerPlan {
  const promptTokens = estimateTokens(body.messages.map(messageText).join('\n'));
  if (reply.kind === 'text') {
    const reasoningTokens = estimateTokens(reply.reasoning ?? '');
    const usage = reply.usage
      ? wireUsage(reply.usage.prompt_tokens, reply.usage.completion_tokens, reasoningTokens)
      : wireUsage(promptTokens, estimateTokens(reply.text) + reasoningTokens, reasoningTokens);
    return {
      content: reply.text,
      reasoning: reply.reasoning,
      usage,
      chunkSize: reply.chunkSize ?? DEFAULT_CHUNK_SIZE,
      chunkDelayMs: reply.chunkDelayMs ?? 0,
      firstTokenDelayMs: reply.firstTokenDelayMs ?? 0,
      stallAfterChunks: reply.stallAfterChunks,
      finishReason: reply.finishReason === undefined ? 'stop' : reply.finishReason,
    };
  }
  // JSON.stringify(undefined) is undefined; answer `null` like a model asked for JSON would.
  const content = reply.kind === 'json' ? (JSON.stringify(reply.value) ?? 'null') : '';
  return {
    content,
    reasoning: undefined,
    usage: wireUsage(promptTokens, estimateTokens(content)),
    chunkSize: DEFAULT_CHUNK_SIZE,
    chunkDelayMs: 0,
    firstTokenDelayMs: 0,
    stallAfterChunks: undefined,
    finishReason: 'stop',
  };
}

function answerWhole(response: ServerResponse, plan: AnswerPlan, context: ChatAnswerContext): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(chatCompletion(context.identity, plan.content, plan.reasoning, plan.usage, plan.finishReason)));
}

async function answerStreamed(response: ServerResponse, plan: AnswerPlan, context: ChatAnswerContext): Promise<void> {
  const { identity } = context;
  const includeUsage = context.body.stream_options?.include_usage === true;
  const textEvents: object[] = [
    ...splitIntoPieces(plan.reasoning ?? '', plan.chunkSize).map((piece) => chatCompletionChunk(identity, { reasoning_content: piece }, null, includeUsage)),
    ...splitIntoPieces(plan.content, plan.chunkSize).map((piece) => chatCompletionChunk(identity, { content: piece }, null, includeUsage)),
  ];
  const stalls = plan.stallAfterChunks !== undefined;
  const events: object[] = [...textEvents.slice(0, plan.stallAfterChunks), ...(stalls ? [] : [chatCompletionChunk(identity, {}, plan.finishReason, includeUsage)])];
  if (includeUsage && !stalls) events.push(usageChunk(identity, plan.usage));

  response.writeHead(200, SSE_HEADERS);
  await writeSseEvent(response, chatCompletionChunk(identity, { role: 'assistant', content: '' }, null, includeUsage));
  // The role chunk goes out with the headers; the first token takes `firstTokenDelayMs` (else the usual pause).
  const firstPause = plan.firstTokenDelayMs > 0 ? plan.firstTokenDelayMs : plan.chunkDelayMs;
  if (firstPause > 0 && events.length > 0) await pause(firstPause, context.closed);
  if (context.closed.aborted) return;
  if (!(await writeEvents(response, events, plan.chunkDelayMs, context.closed))) return;
  // A stalled stream stays open: only the client's timeout (or FakeOpenAI.close()) ends it.
  if (stalls) return;
  await writeSseDone(response);
}

/** Sends about the first half of `text`, then destroys the socket: no final chunk, no `[DONE]`. */
async function answerCut(response: ServerResponse, text: string, context: ChatAnswerContext, delayMs: number): Promise<void> {
  const codePoints = Array.from(text);
  const half = codePoints.slice(0, Math.ceil(codePoints.length / 2)).join('');
  if (context.body.stream) {
    const events = [
      chatCompletionChunk(context.identity, { role: 'assistant', content: '' }, null, false),
      ...splitIntoPieces(half, DEFAULT_CHUNK_SIZE).map((piece) => chatCompletionChunk(context.identity, { content: piece }, null, false)),
    ];
    response.writeHead(200, SSE_HEADERS);
    await writeEvents(response, events, delayMs, context.closed);
  } else {
    const whole = JSON.stringify(chatCompletion(context.identity, text, undefined, wireUsage(0, 0)));
    response.writeHead(200, { 'content-type': 'application/json' });
    await new Promise<void>((resolve) => response.write(whole.slice(0, Math.floor(whole.length / 2)), () => resolve()));
  }
  response.destroy();
}

/** Returns false when the response closed before every event was written. */
async function writeEvents(response: ServerResponse, events: readonly object[], delayMs: number, closed: AbortSignal): Promise<boolean> {
  for (const [position, event] of events.entries()) {
    if (position > 0 && delayMs > 0) await pause(delayMs, closed);
    if (closed.aborted) return false;
    await writeSseEvent(response, event);
  }
  return !closed.aborted;
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    // Aborted: the caller checks `signal.aborted`.
  }
}
