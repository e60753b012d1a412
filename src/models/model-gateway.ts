/**
 * The one place model providers are called (openai SDK, any OpenAI-compatible endpoint).
 * - chat: streamed, reasoning removed (`<think>` blocks and `reasoning_content`), usage recorded;
 * - json: structured output validated with zod — `response_format: json_schema` where the
 *   provider supports it (MODEL_JSON_MODE), a tolerant parse otherwise, plus one corrective retry;
 * - vision: an image (JPEG bytes) described through the vision role;
 * - images: the images API, answers with `b64_json` or `url` both handled.
 * Retries (retry-policy.ts, MODEL_MAX_RETRIES): 408/409/429/5xx, connection errors, cut
 * streams, stalled streams and empty completions, with backoff honouring Retry-After; then the
 * fallback chat model (FALLBACK_CHAT_MODEL) if configured; then a coded error.
 * Every call first reserves a slot in the shared requests-per-minute budget (MODEL_RPM).
 */
import OpenAI from 'openai';
import { safeDownload } from '../outbound/safe-download.ts';
import { downloadPolicy, hostOf } from '../outbound/download-policy.ts';
import { sniffImageFormat } from '../images/image-format.ts';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { z } from 'zod';
import type { Config } from '../config/config-schema.ts';
import type { Logger } from '../logging/logger.ts';
import type { RateBudget } from '../pacing/rate-budget.ts';
import { TableRoundError } from '../errors.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import { extractJson } from './json-output.ts';
import { toModelError } from './model-errors.ts';
import { resolveEndpoint, type ModelEndpoint, type ModelRole } from './model-roles.ts';
import { withRetries } from './retry-policy.ts';
import type { Metrics } from '../observability/metrics.ts';
import { ReasoningFilter } from './reasoning-filter.ts';

export type ChatMessage = ChatCompletionMessageParam;

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

export interface ChatRequest extends CallContext {
  role?: 'chat' | 'summary';
  /** Persona model override. */
  model?: string;
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  /** Called with the visible text so far as tokens arrive (restarts from '' on a retry). */
  onText?: (textSoFar: string) => void;
}

export interface ChatResult {
  text: string;
  model: string;
  usage: Usage;
}

const emptyUsage = (): Usage => ({ promptTokens: 0, completionTokens: 0 });

export class ModelGateway {
  private readonly clients = new Map<string, OpenAI>();
  private readonly breaker: CircuitBreaker;

  constructor(
    private readonly config: Config,
    private readonly budget: RateBudget | undefined,
    private readonly logger: Logger,
    private readonly metrics?: Metrics,
  ) {
    this.breaker = new CircuitBreaker(config.MODEL_CIRCUIT_THRESHOLD, config.MODEL_CIRCUIT_OPEN_MS);
  }

  endpoint(role: ModelRole): ModelEndpoint {
    return resolveEndpoint(this.config, role);
  }

  private client(endpoint: ModelEndpoint): OpenAI {
    const cacheKey = `${endpoint.baseURL ?? ''}|${endpoint.apiKey ?? ''}`;
    let client = this.clients.get(cacheKey);
    if (!client) {
      client = new OpenAI({
        baseURL: endpoint.baseURL,
        // Local servers (Ollama, vLLM) accept any key; the SDK insists on one.
        apiKey: endpoint.apiKey ?? 'not-needed',
        timeout: this.config.MODEL_TIMEOUT_MS,
        maxRetries: 0, // retries are ours: see retry-policy.ts
      });
      this.clients.set(cacheKey, client);
    }
    return client;
  }

  private async admit(endpoint: ModelEndpoint, signal?: AbortSignal): Promise<void> {
    // An open circuit makes callers wait (not call) until it half-opens: the failing provider
    // gets a rest, and the steps resume by themselves once it answers again.
    const breakerKey = endpoint.baseURL ?? 'default';
    for (let openMs = this.breaker.openFor(breakerKey); openMs > 0; openMs = this.breaker.openFor(breakerKey)) {
      this.logger.warn({ endpoint: endpointHost(breakerKey), waitMs: openMs }, 'model circuit open; waiting before calling again');
      signal?.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, openMs));
    }
    if (this.budget && this.config.MODEL_RPM > 0) {
      await this.budget.reserve([{ bucket: 'model:rpm', limit: this.config.MODEL_RPM, windowMs: 60_000 }], signal);
    }
  }

  /**
   * Newer OpenAI reasoning models refuse `max_tokens` and want `max_completion_tokens`; most
   * compatible servers know only `max_tokens`. A model that refused the first is remembered.
   */
  private readonly completionTokenModels = new Set<string>();

  private tokenLimit(model: string, maxTokens: number | undefined): { max_tokens: number } | { max_completion_tokens: number } {
    const limit = maxTokens ?? this.config.MODEL_MAX_TOKENS;
    return this.completionTokenModels.has(model) ? { max_completion_tokens: limit } : { max_tokens: limit };
  }

  /** True (and remembered) when the error is a refusal of `max_tokens` in favour of `max_completion_tokens`. */
  private learnsTokenParameter(error: unknown, model: string): boolean {
    if (!(error instanceof OpenAI.APIError) || error.status !== 400 || !/max_completion_tokens/.test(error.message)) return false;
    if (this.completionTokenModels.has(model)) return false;
    this.completionTokenModels.add(model);
    return true;
  }

  private observeUsage(model: string, usage: Usage): void {
    this.metrics?.tokens.inc({ model, direction: 'in' }, usage.promptTokens);
    this.metrics?.tokens.inc({ model, direction: 'out' }, usage.completionTokens);
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

  private record(endpoint: ModelEndpoint, ok: boolean): void {
    const breakerKey = endpoint.baseURL ?? 'default';
    if (ok) this.breaker.succeeded(breakerKey);
    else this.breaker.failed(breakerKey);
  }

  /** Streamed chat completion with reasoning removed. Falls back to FALLBACK_CHAT_MODEL. */
  async chat(request: ChatRequest): Promise<ChatResult> {
    const role = request.role ?? 'chat';
    const endpoint = this.endpoint(role);
    const model = request.model ?? endpoint.model;
    try {
      return await this.chatWithRetries(endpoint, model, request);
    } catch (error) {
      const fallback = this.config.FALLBACK_CHAT_MODEL;
      const coded = toModelError(error, role, model);
      if (!fallback || fallback === model || coded.code === 'model_refused') throw coded;
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
      async () => {
        try {
          const result = await this.timed(model, () =>
            this.streamOnce(endpoint, model, request).catch((error: unknown) => {
              if (this.learnsTokenParameter(error, model)) return this.streamOnce(endpoint, model, request);
              throw error;
            }),
          );
          if (!result.text) {
            throw new TableRoundError('model_bad_output', `${model} returned an empty completion`, { publicMessage: `The model (${model}) returned an empty answer.` });
          }
          this.record(endpoint, true);
          return result;
        } catch (error) {
          this.record(endpoint, false);
          throw error;
        }
      },
      {
        retries: this.config.MODEL_MAX_RETRIES,
        signal: request.signal,
        onRetry: (error, attempt, waitMs) => logger.warn({ err: error, model, attempt, waitMs }, 'model call failed; retrying'),
      },
    );
  }

  private async streamOnce(endpoint: ModelEndpoint, model: string, request: ChatRequest): Promise<ChatResult> {
    await this.admit(endpoint, request.signal);
    // The SDK's timeout stops at the response headers; a stream that stalls mid-body is ours to end.
    const idle = new AbortController();
    const signal = request.signal ? AbortSignal.any([request.signal, idle.signal]) : idle.signal;
    let idleTimer = setTimeout(() => idle.abort(new Error('model stream timed out (no data)')), this.config.MODEL_TIMEOUT_MS);
    const filter = new ReasoningFilter();
    let usage = emptyUsage();
    let lastVisible = '';
    try {
      const stream = await this.client(endpoint).chat.completions.create(
        {
          model,
          messages: request.messages,
          stream: true,
          stream_options: { include_usage: true },
          ...this.tokenLimit(model, request.maxTokens),
          ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
        },
        { signal },
      );
      request.onText?.('');
      for await (const chunk of stream) {
        clearTimeout(idleTimer);
        idleTimer = setTimeout(() => idle.abort(new Error('model stream timed out (no data)')), this.config.MODEL_TIMEOUT_MS);
        if (chunk.usage) usage = { promptTokens: chunk.usage.prompt_tokens ?? 0, completionTokens: chunk.usage.completion_tokens ?? 0 };
        const delta = chunk.choices[0]?.delta;
        // `reasoning_content` (DeepSeek, vLLM, …) is deliberately ignored: only `content` is visible.
        if (delta?.content) {
          const visible = filter.push(delta.content);
          if (visible !== lastVisible) {
            lastVisible = visible;
            request.onText?.(visible);
          }
        }
      }
    } finally {
      clearTimeout(idleTimer);
    }
    // An idle abort ends the iteration quietly; it is a failure, not an answer.
    if (idle.signal.aborted) throw idle.signal.reason;
    const text = filter.end();
    this.observeUsage(model, usage);
    await request.onUsage?.(usage, model);
    return { text, model, usage };
  }

  /**
   * Structured output validated with `schema`. One corrective retry tells the model what was
   * wrong with its previous answer. `coerce` may reshape a near-miss (e.g. a bare array where an
   * object holding it was asked for) before validation.
   */
  async json<T>(schema: z.ZodType<T>, name: string, request: Omit<ChatRequest, 'onText'> & { coerce?: (raw: unknown) => unknown }): Promise<{ value: T; usage: Usage }> {
    const role = request.role ?? 'chat';
    const endpoint = this.endpoint(role);
    const model = request.model ?? endpoint.model;
    const jsonSchema = z.toJSONSchema(schema, { target: 'draft-7' }) as Record<string, unknown>;
    const instruction: ChatMessage = {
      role: 'system',
      content: `Answer with one JSON value only, no prose, matching this JSON Schema:\n${JSON.stringify(jsonSchema)}`,
    };
    let messages: ChatMessage[] = [...request.messages, instruction];
    let lastProblem = '';
    for (let attempt = 1; attempt <= 2; attempt++) {
      let content: string;
      try {
        const completion = await withRetries(() => this.timed(model, () => this.completeOnce(endpoint, model, messages, name, jsonSchema, request)), {
          retries: this.config.MODEL_MAX_RETRIES,
          signal: request.signal,
        });
        this.record(endpoint, true);
        const usage = completion.usage
          ? { promptTokens: completion.usage.prompt_tokens, completionTokens: completion.usage.completion_tokens }
          : emptyUsage();
        this.observeUsage(model, usage);
        await request.onUsage?.(usage, model);
        content = completion.choices[0]?.message?.content ?? '';
        try {
          const raw = extractJson(content);
          // Lenient with shapes models commonly return instead (a bare list, say): see `coerce`.
          const parsed = schema.safeParse(request.coerce ? request.coerce(raw) : raw);
          if (parsed.success) return { value: parsed.data, usage };
          lastProblem = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
        } catch (error) {
          lastProblem = (error as Error).message;
        }
      } catch (error) {
        this.record(endpoint, false);
        throw toModelError(error, role, model);
      }
      (request.logger ?? this.logger).warn({ model, problem: lastProblem, attempt }, 'structured output invalid');
      messages = [
        ...messages,
        { role: 'assistant', content },
        { role: 'user', content: `That was not valid: ${lastProblem}. Reply again with only the corrected JSON.` },
      ];
    }
    throw new TableRoundError('model_bad_output', `${model} gave invalid ${name} JSON twice: ${lastProblem}`, {
      publicMessage: `The model (${model}) did not return usable ${name} data.`,
    });
  }

  /** One non-streamed completion asking for JSON in the configured MODEL_JSON_MODE. */
  private async completeOnce(endpoint: ModelEndpoint, model: string, messages: ChatMessage[], name: string, jsonSchema: Record<string, unknown>, request: CallContext & { maxTokens?: number }) {
    await this.admit(endpoint, request.signal);
    const mode = this.config.MODEL_JSON_MODE;
    const responseFormat =
      mode === 'json_schema'
        ? { response_format: { type: 'json_schema' as const, json_schema: { name, schema: jsonSchema, strict: false } } }
        : mode === 'json_object'
          ? { response_format: { type: 'json_object' as const } }
          : {};
    const create = () =>
      this.client(endpoint).chat.completions.create(
        { model, messages, ...this.tokenLimit(model, request.maxTokens), ...responseFormat },
        { signal: request.signal, timeout: this.config.MODEL_TIMEOUT_MS },
      );
    return create().catch((error: unknown) => {
      if (this.learnsTokenParameter(error, model)) return create();
      throw error;
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
      const result = await withRetries(() => this.streamOnce(endpoint, endpoint.model, { ...context, messages, maxTokens: 700 }), {
        retries: this.config.MODEL_MAX_RETRIES,
        signal: context.signal,
      });
      this.record(endpoint, true);
      if (!result.text) throw new TableRoundError('model_bad_output', 'vision model returned an empty description', { publicMessage: 'The vision model returned an empty description.' });
      return result;
    } catch (error) {
      this.record(endpoint, false);
      throw toModelError(error, 'vision', endpoint.model);
    }
  }

  /** Generates images; returns PNG/JPEG bytes whichever answer shape the provider uses. */
  /**
   * A generated image given as a URL, fetched through the one safe download: only from the image
   * endpoint's own host and IMAGE_DOWNLOAD_HOSTS (an "OpenAI-compatible" proxy answering with the
   * cloud metadata address gets nothing), capped, and sniffed as an image before it is posted.
   */
  private async downloadGenerated(url: string, endpoint: ModelEndpoint, signal: AbortSignal | undefined): Promise<Buffer> {
    const { bytes } = await safeDownload(url, {
      allowedHosts: [...hostOf(endpoint.baseURL ?? 'https://api.openai.com/v1'), ...this.config.IMAGE_DOWNLOAD_HOSTS],
      ...downloadPolicy(this.config),
      maxBytes: this.config.IMAGE_MAX_BYTES,
      timeoutMs: 60_000,
      ...(signal ? { signal } : {}),
    });
    return bytes;
  }

  async generateImages(prompt: string, count: number, context: CallContext): Promise<Buffer[]> {
    const endpoint = this.endpoint('image');
    await this.admit(endpoint, context.signal);
    try {
      const response = await withRetries(
        () =>
          this.client(endpoint).images.generate(
            { model: endpoint.model, prompt, n: count, size: this.config.IMAGE_SIZE as '1024x1024' },
            { signal: context.signal },
          ),
        { retries: this.config.MODEL_MAX_RETRIES, signal: context.signal },
      );
      this.record(endpoint, true);
      const images: Buffer[] = [];
      for (const item of response.data ?? []) {
        if (item.b64_json) images.push(requireImage(Buffer.from(item.b64_json, 'base64')));
        else if (item.url) images.push(await this.downloadGenerated(item.url, endpoint, context.signal));
      }
      if (images.length === 0) throw new TableRoundError('model_bad_output', 'image model returned no images', { publicMessage: 'The image model returned no images.' });
      return images;
    } catch (error) {
      if (!(error instanceof OpenAI.APIError && error.status !== undefined && error.status < 500)) this.record(endpoint, false);
      throw toModelError(error, 'image', endpoint.model);
    }
  }
}

/** Bytes an image model returned are posted only if they are an image. */
function requireImage(bytes: Buffer): Buffer {
  if (sniffImageFormat(bytes).kind !== 'image') throw new TableRoundError('model_bad_output', 'image model returned bytes that are not an image', { publicMessage: 'The image model returned something that is not an image.' });
  return bytes;
}

/** Where an endpoint is, for logs: its host only — never credentials, path or query. */
export function endpointHost(baseURL: string): string {
  try {
    return new URL(baseURL).host;
  } catch {
    return 'default';
  }
}
