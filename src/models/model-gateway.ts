/**
 * The one place model providers are called (openai SDK, any OpenAI-compatible endpoint).
 * - chat: streamed, reasoning removed (`<think>` blocks and `reasoning_content`), usage recorded,
 *   and why it ended (`finishReason`: a `length` answer was cut off by the cap — the caller decides
 *   what to do with it);
 * - json: structured output validated with zod (structured-output.ts) — `response_format` per MODEL_JSON_MODE and
 *   MODEL_JSON_STRICT (structured-output-format.ts), a tolerant parse, then one more answer: with
 *   a doubled completion cap when the first was cut off (completion-cap.ts), else a corrective one;
 * - vision: an image (JPEG bytes) described through the vision role;
 * - images: the images API, answers with `b64_json` or `url` both handled — at most the images
 *   asked for, each at most IMAGE_MAX_BYTES, the whole answer capped while it streams
 *   (generated-images.ts, bounded-body-fetch.ts).
 *
 * Failures (error-class.ts): provider failures — 408/409/429/5xx, connection errors, cut or
 * stalled streams, timeouts, empty completions — are retried (retry-policy.ts, MODEL_MAX_RETRIES)
 * with backoff honouring Retry-After, count towards the endpoint's circuit breaker, and may end
 * on the fallback chat model (FALLBACK_CHAT_MODEL). Request errors — 400/413/422, a context
 * overflow, a content policy — are thrown at once as coded errors: not retried, not counted, and
 * a context overflow or a refusal never tries the fallback model. The window a context overflow
 * names is remembered per model (`learnedContextTokens`).
 *
 * Timeouts (stream-deadline.ts): MODEL_FIRST_TOKEN_TIMEOUT_MS for the headers and first token — a
 * local server reading a long prompt sends nothing for minutes — then MODEL_TIMEOUT_MS of allowed
 * silence between chunks. A non-streamed json call gets both added as its one timeout.
 *
 * Every call first waits for the endpoint's circuit (circuit-breaker.ts: one trial when
 * half-open), then reserves a slot in the shared requests-per-minute budget (MODEL_RPM).
 */
import { APIUserAbortError, type OpenAI } from 'openai';
import { safeDownload } from '../outbound/safe-download.ts';
import { hostOf, imageProviderDownloadPolicy } from '../outbound/download-policy.ts';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { z } from 'zod';
import type { Config } from '../config/config-schema.ts';
import type { Logger } from '../logging/logger.ts';
import type { RateBudget } from '../pacing/rate-budget.ts';
import { TableRoundError } from '../errors.ts';
import { catalogText } from '../i18n/translate.ts';
import { ModelClients } from './model-clients.ts';
import { CircuitBreaker, type CircuitPermit } from './circuit-breaker.ts';
import { classifyModelError, contextLimitFrom, countsAgainstProvider } from './error-class.ts';
import type { FinishReason } from './finish-reason.ts';
import { readChatStream, type StreamedAnswer } from './chat-stream.ts';
import { decodeGeneratedImage, firstRequested } from './generated-images.ts';
import { toModelError } from './model-errors.ts';
import { resolveEndpoint, type ModelEndpoint, type ModelRole } from './model-roles.ts';
import { withRetries } from './retry-policy.ts';
import type { Metrics } from '../observability/metrics.ts';
import { StreamDeadline } from './stream-deadline.ts';
import { completeJsonOnce, requestStructuredOutput, type JsonCompletionContext } from './structured-output.ts';
import { FormatMemory } from './structured-output-format.ts';
import { TokenParameterMemory } from './token-parameter.ts';

export type ChatMessage = ChatCompletionMessageParam;
export type { FinishReason } from './finish-reason.ts';
export { contextLimitFrom } from './error-class.ts';

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

export interface CallContext {
  /** Receives token usage of every completed call (per session accounting). */
  onUsage?: (usage: Usage, model: string) => void | Promise<void>;
  logger?: Logger;
  signal?: AbortSignal;
}

export interface ImageCallContext extends CallContext {
  /**
   * Told once, as soon as the provider has answered, how many images it returned (at most the
   * count asked for) — before any is downloaded or checked. The provider bills them whether or not
   * they turn out usable, so this is where a caller charges for them.
   */
  onImagesReturned?: (count: number) => void | Promise<void>;
}

export interface ChatRequest extends CallContext {
  role?: 'chat' | 'summary';
  /** Persona model override. */
  model?: string;
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  /**
   * Called with the visible text so far as tokens arrive (restarts from '' on a retry). Returns
   * true when that text is all the caller will use: the stream ends there (finish reason `enough`).
   */
  onText?: (textSoFar: string) => boolean | void;
}

export interface ChatResult {
  text: string;
  model: string;
  usage: Usage;
  /** Why the answer ended; `length`: cut off by the completion cap, the text is unfinished. */
  finishReason: FinishReason;
}

export type JsonRequest = Omit<ChatRequest, 'onText'> & { coerce?: (raw: unknown) => unknown };

export interface JsonResult<T> {
  value: T;
  /** Tokens of every answer this call needed (both, when it was `retried`). */
  usage: Usage;
  /** `retried`: the first answer was unusable (invalid, or cut off) and a second one was needed. */
  outcome: 'accepted' | 'retried';
  /** Why the accepted answer ended. */
  finishReason: FinishReason;
}

export class ModelGateway {
  private readonly clients: ModelClients;
  private readonly breaker: CircuitBreaker;
  /** Context windows (tokens) providers named in a context overflow, by model. */
  private readonly contextWindows = new Map<string, number>();
  private readonly formats = new FormatMemory();
  private readonly tokenParameter = new TokenParameterMemory();

  constructor(
    private readonly config: Config,
    private readonly budget: RateBudget | undefined,
    private readonly logger: Logger,
    private readonly metrics?: Metrics,
  ) {
    this.breaker = new CircuitBreaker(config.MODEL_CIRCUIT_THRESHOLD, config.MODEL_CIRCUIT_OPEN_MS);
    this.clients = new ModelClients(config);
  }

  endpoint(role: ModelRole): ModelEndpoint {
    return resolveEndpoint(this.config, role);
  }

  /** The context window `model`'s provider named when a prompt did not fit; undefined until one did. */
  learnedContextTokens(model: string): number | undefined {
    return this.contextWindows.get(model);
  }

  /** A non-streamed call's whole timeout: the wait for the first token plus one silence. */
  private get wholeCallTimeoutMs(): number {
    return this.clients.wholeCallTimeoutMs;
  }

  private client(endpoint: ModelEndpoint): OpenAI {
    return this.clients.forEndpoint(endpoint);
  }

  /**
   * Runs one attempt against `endpoint` under its circuit breaker: waits while the circuit is open
   * (the failing provider gets a rest, and steps resume by themselves once it answers again),
   * then reports the outcome — provider failures count, request errors and cancellations do not.
   * A context overflow's window is remembered for `model`.
   */
  private async guarded<T>(endpoint: ModelEndpoint, model: string, signal: AbortSignal | undefined, call: () => Promise<T>): Promise<T> {
    const breakerKey = endpoint.baseURL ?? 'default';
    const permit: CircuitPermit = await this.breaker.enter(breakerKey, signal, (waitMs, trialInFlight) =>
      this.logger.warn({ endpoint: endpointHost(breakerKey), waitMs, trialInFlight }, 'model circuit open; waiting before calling again'),
    );
    try {
      const result = await call();
      permit.succeeded();
      return result;
    } catch (error) {
      const errorClass = signal?.aborted ? 'cancelled' : classifyModelError(error);
      if (countsAgainstProvider(errorClass)) permit.failed();
      if (errorClass === 'context_exceeded') this.rememberContextWindow(model, error);
      throw error;
    } finally {
      permit.released(); // a no-op once settled above
    }
  }

  private rememberContextWindow(model: string, error: unknown): void {
    const tokens = contextLimitFrom(error);
    if (tokens !== undefined) this.contextWindows.set(model, tokens);
  }

  private async reserveRate(signal: AbortSignal | undefined): Promise<void> {
    if (this.budget && this.config.MODEL_RPM > 0) {
      await this.budget.reserve([{ bucket: 'model:rpm', limit: this.config.MODEL_RPM, windowMs: 60_000 }], signal);
    }
  }

  private async recordUsage(model: string, usage: Usage, context: CallContext): Promise<void> {
    this.metrics?.tokens.inc({ model, direction: 'in' }, usage.promptTokens);
    this.metrics?.tokens.inc({ model, direction: 'out' }, usage.completionTokens);
    await context.onUsage?.(usage, model);
  }

  /** Times one provider call for the latency histogram. */
  private async timed<T>(model: string, call: () => Promise<T>): Promise<T> {
    const end = this.metrics?.modelSeconds.startTimer({ model });
    try {
      const result = await call();
      end?.({ outcome: 'ok' });
      return result;
    } catch (error) {
      end?.({ outcome: 'error' });
      throw error;
    }
  }

  /** Streamed chat completion with reasoning removed. Falls back to FALLBACK_CHAT_MODEL unless the request itself was refused. */
  async chat(request: ChatRequest): Promise<ChatResult> {
    const role = request.role ?? 'chat';
    const endpoint = this.endpoint(role);
    const model = request.model ?? endpoint.model;
    try {
      return await this.chatWithRetries(endpoint, model, request);
    } catch (error) {
      const fallback = this.config.FALLBACK_CHAT_MODEL;
      const coded = toModelError(error, role, model);
      const errorClass = classifyModelError(error);
      // A prompt too long for one model's window, a content policy, or the caller's abort: the fallback would fare no better.
      const fallbackMayHelp = errorClass !== 'context_exceeded' && errorClass !== 'refused' && errorClass !== 'cancelled' && !request.signal?.aborted;
      if (!fallback || fallback === model || !fallbackMayHelp) throw coded;
      (request.logger ?? this.logger).warn({ err: coded, model, fallback }, 'model failed; trying the fallback model');
      try {
        return await this.chatWithRetries(endpoint, fallback, request);
      } catch (fallbackError) {
        throw toModelError(fallbackError, role, fallback);
      }
    }
  }

  private async chatWithRetries(endpoint: ModelEndpoint, model: string, request: ChatRequest): Promise<ChatResult> {
    const logger = request.logger ?? this.logger;
    return withRetries(
      () =>
        this.guarded(endpoint, model, request.signal, async () => {
          const result = await this.timed(model, () =>
            this.streamOnce(endpoint, model, request).catch((error: unknown) => {
              if (this.tokenParameter.learns(error, model)) return this.streamOnce(endpoint, model, request);
              throw error;
            }),
          );
          if (!result.text) {
            throw new TableRoundError('model_bad_output', `${model} returned an empty completion`, { text: catalogText('model.emptyAnswer', { model }) });
          }
          return result;
        }),
      {
        retries: this.config.MODEL_MAX_RETRIES,
        signal: request.signal,
        onRetry: (error, attempt, waitMs) => logger.warn({ err: error, model, attempt, waitMs }, 'model call failed; retrying'),
      },
    );
  }

  private async streamOnce(endpoint: ModelEndpoint, model: string, request: ChatRequest): Promise<ChatResult> {
    await this.reserveRate(request.signal);
    const deadline = new StreamDeadline(this.config.MODEL_FIRST_TOKEN_TIMEOUT_MS, this.config.MODEL_TIMEOUT_MS);
    const signal = request.signal ? AbortSignal.any([request.signal, deadline.signal]) : deadline.signal;
    let answer: StreamedAnswer;
    deadline.start();
    try {
      const stream = await this.client(endpoint).chat.completions.create(
        {
          model,
          messages: request.messages,
          stream: true,
          stream_options: { include_usage: true },
          ...this.tokenParameter.limitFor(model, request.maxTokens ?? this.config.MODEL_MAX_TOKENS),
          ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
        },
        { signal },
      );
      request.onText?.('');
      answer = await readChatStream(stream, deadline, request.onText);
    } catch (error) {
      // Our own deadline surfaces from the SDK as "Request was aborted": say what it was.
      throw request.signal?.aborted ? error : (deadline.timedOut ?? error);
    } finally {
      deadline.stop();
    }
    // An abort mid-stream ends the iteration quietly; neither kind leaves an answer.
    if (request.signal?.aborted) throw new APIUserAbortError();
    if (deadline.timedOut) throw deadline.timedOut;
    await this.recordUsage(model, answer.usage, request);
    return { text: answer.text, model, usage: answer.usage, finishReason: answer.finishReason };
  }

  /** Structured output validated with `schema`: see structured-output.ts (the corrective and cut-off retries, `coerce`, nulls). */
  async json<T>(schema: z.ZodType<T>, name: string, request: JsonRequest): Promise<JsonResult<T>> {
    const role = request.role ?? 'chat';
    const endpoint = this.endpoint(role);
    const model = request.model ?? endpoint.model;
    const logger = request.logger ?? this.logger;
    const completion: JsonCompletionContext = {
      config: this.config, endpoint, model, logger, signal: request.signal, formats: this.formats, tokenParameter: this.tokenParameter,
      client: () => this.client(endpoint), reserveRate: (signal) => this.reserveRate(signal), timeoutMs: this.wholeCallTimeoutMs,
    };
    return requestStructuredOutput(schema, name, request, request.maxTokens ?? this.config.MODEL_MAX_TOKENS, {
      model, logger,
      answer: async (messages, jsonSchema, cap) => {
        try {
          return await withRetries(
            () => this.guarded(endpoint, model, request.signal, () => this.timed(model, () => completeJsonOnce(completion, messages, name, jsonSchema, cap))),
            {
              retries: this.config.MODEL_MAX_RETRIES,
              signal: request.signal,
              onRetry: (error, retry, waitMs) => logger.warn({ err: error, model, attempt: retry, waitMs }, 'model call failed; retrying'),
            },
          );
        } catch (error) {
          throw toModelError(error, role, model);
        }
      },
      recordUsage: (usage) => this.recordUsage(model, usage, request),
      learnedContextTokens: () => this.learnedContextTokens(model),
    });
  }

  /** Describes an image (JPEG bytes) with the vision model. */
  async describeImage(jpeg: Buffer, prompt: string, context: CallContext): Promise<ChatResult> {
    const endpoint = this.endpoint('vision');
    const messages: ChatMessage[] = [
      {
        role: 'user',
        content: [
          { type: 'text', text: prompt },
          { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${jpeg.toString('base64')}`, detail: 'high' } },
        ],
      },
    ];
    try {
      return await withRetries(
        () =>
          this.guarded(endpoint, endpoint.model, context.signal, async () => {
            const result = await this.streamOnce(endpoint, endpoint.model, { ...context, messages, maxTokens: 700 });
            if (!result.text) throw new TableRoundError('model_bad_output', 'vision model returned an empty description', { text: catalogText('model.emptyDescription') });
            return result;
          }),
        { retries: this.config.MODEL_MAX_RETRIES, signal: context.signal },
      );
    } catch (error) {
      throw toModelError(error, 'vision', endpoint.model);
    }
  }

  /**
   * A generated image given as a URL, fetched through the one safe download: only from the image
   * endpoint's own host and IMAGE_DOWNLOAD_HOSTS (an "OpenAI-compatible" proxy answering with the
   * cloud metadata address gets nothing), capped, and sniffed as an image before it is posted.
   * http and private addresses only as IMAGE_PROVIDER_ALLOW_* (or the DOWNLOAD_ALLOW_* globals) say.
   */
  private async downloadGenerated(url: string, endpoint: ModelEndpoint, signal: AbortSignal | undefined): Promise<Buffer> {
    const { bytes } = await safeDownload(url, {
      allowedHosts: [...hostOf(endpoint.baseURL ?? 'https://api.openai.com/v1'), ...this.config.IMAGE_DOWNLOAD_HOSTS],
      ...imageProviderDownloadPolicy(this.config),
      maxBytes: this.config.IMAGE_MAX_BYTES,
      timeoutMs: 60_000,
      ...(signal ? { signal } : {}),
    });
    return bytes;
  }

  /**
   * Generates at most `count` images; returns PNG/JPEG bytes whichever answer shape the provider
   * uses. Images beyond `count` are dropped unread; `context.onImagesReturned` hears how many were
   * returned before any is checked (see {@link ImageCallContext}).
   */
  async generateImages(prompt: string, count: number, context: ImageCallContext): Promise<Buffer[]> {
    const endpoint = this.endpoint('image');
    try {
      const response = await withRetries(
        () =>
          this.guarded(endpoint, endpoint.model, context.signal, async () => {
            await this.reserveRate(context.signal);
            return this.clients.forImages(endpoint, count).images.generate({ model: endpoint.model, prompt, n: count, size: this.config.IMAGE_SIZE as '1024x1024' }, { signal: context.signal });
          }),
        { retries: this.config.MODEL_MAX_RETRIES, signal: context.signal },
      );
      const returned = firstRequested(response.data, count);
      await context.onImagesReturned?.(returned.length);
      const images: Buffer[] = [];
      for (const item of returned) {
        if (item.b64_json) images.push(decodeGeneratedImage(item.b64_json, this.config.IMAGE_MAX_BYTES));
        else if (item.url) images.push(await this.downloadGenerated(item.url, endpoint, context.signal));
      }
      if (images.length === 0) throw new TableRoundError('model_bad_output', 'image model returned no images', { text: catalogText('model.noImages') });
      return images;
    } catch (error) {
      throw toModelError(error, 'image', endpoint.model);
    }
  }
}

/** Where an endpoint is, for logs: its host only — never credentials, path or query. */
export function endpointHost(baseURL: string): string {
  try {
    return new URL(baseURL).host;
  } catch {
    return 'default';
  }
}
