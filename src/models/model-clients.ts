/**
 * The openai SDK clients the gateway calls through, one per endpoint (base URL and key), made
 * once. Image calls get a client of their own per count asked for: its answers are capped while
 * they stream at what `count` images of IMAGE_MAX_BYTES can take, and must be complete within the
 * whole-call timeout (the SDK's own timeout stops at the headers; generated-images.ts).
 */
import OpenAI from 'openai';
import type { Config } from '../config/config-schema.ts';
import { boundedBodyFetch, type Fetch } from './bounded-body-fetch.ts';
import { imageAnswerMaxBytes, imageAnswerTooLarge, imageAnswerTooSlow } from './generated-images.ts';
import type { ModelEndpoint } from './model-roles.ts';

export class ModelClients {
  private readonly clients = new Map<string, OpenAI>();

  constructor(private readonly config: Config) {}

  /** The first-token wait plus one silence: the longest a whole call may take. */
  get wholeCallTimeoutMs(): number {
    return this.config.MODEL_FIRST_TOKEN_TIMEOUT_MS + this.config.MODEL_TIMEOUT_MS;
  }

  forEndpoint(endpoint: ModelEndpoint): OpenAI {
    return this.cached(`${endpoint.baseURL ?? ''}|${endpoint.apiKey ?? ''}`, endpoint);
  }

  forImages(endpoint: ModelEndpoint, count: number): OpenAI {
    const maxBytes = imageAnswerMaxBytes(this.config.IMAGE_MAX_BYTES, count);
    const deadlineMs = this.wholeCallTimeoutMs;
    return this.cached(
      `${endpoint.baseURL ?? ''}|${endpoint.apiKey ?? ''}|images:${count}`,
      endpoint,
      boundedBodyFetch({ maxBytes, deadlineMs, tooLarge: () => imageAnswerTooLarge(maxBytes), tooSlow: () => imageAnswerTooSlow(endpoint.model, deadlineMs) }),
    );
  }

  private cached(cacheKey: string, endpoint: ModelEndpoint, fetch?: Fetch): OpenAI {
    let client = this.clients.get(cacheKey);
    if (!client) {
      client = new OpenAI({
        baseURL: endpoint.baseURL,
        // Local servers (Ollama, vLLM) accept any key; the SDK insists on one.
        apiKey: endpoint.apiKey ?? 'not-needed',
        // A backstop only: it covers the wait for headers, which our first-token deadline
        // (stream-deadline.ts) already bounds, and must never cut that deadline short.
        timeout: this.wholeCallTimeoutMs,
        maxRetries: 0, // retries are ours: see retry-policy.ts
        ...(fetch ? { fetch } : {}),
      });
      this.clients.set(cacheKey, client);
    }
    return client;
  }
}
