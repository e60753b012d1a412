/**
 * Public types of the fake OpenAI-compatible server. Re-exported from `fake-openai-server.ts`,
 * which is the only module tests should import from.
 */

/** One HTTP request as the fake server received it. */
export interface RecordedRequest {
  /** URL pathname without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  method: string;
  /** Node's lower-cased request headers, unchanged. */
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body; `undefined` when there was no body, the raw text when it was not JSON. Narrow before use. */
  body: unknown;
  /** `Date.now()` when the request arrived (before its body was read), in ms. */
  receivedAt: number;
  /** `Date.now()` when the connection of its response closed, in ms; undefined while it is open. */
  closedAt?: number;
  /** Whether the whole response had been written when it closed (false: the client went away first, e.g. aborted). */
  completed?: boolean;
}

/** What the fake answers to one chat completion request. */
export type ChatReply =
  | {
      kind: 'text';
      text: string;
      /** Sent as `message.reasoning_content` / `delta.reasoning_content` before the content. */
      reasoning?: string;
      /** Default: estimated from characters (≈ 4 characters a token). */
      usage?: { prompt_tokens: number; completion_tokens: number };
      /** Characters per SSE chunk; default 8. */
      chunkSize?: number;
      /** Pause between SSE chunks, in ms; default 0. */
      chunkDelayMs?: number;
      /**
       * A server reading a long prompt, in ms; default 0. Streamed: the pause after the headers and
       * the role-only opening chunk, before the first chunk with text. Not streamed: before the answer.
       */
      firstTokenDelayMs?: number;
      /** Streamed: after this many text chunks, send nothing more and keep the response open (a stalled stream). */
      stallAfterChunks?: number;
      /** `finish_reason` of the answer; default `stop`. `null`: the stream ends without one (some servers). */
      finishReason?: 'stop' | 'length' | 'content_filter' | null;
    }
  /** Content is `JSON.stringify(value)`, whatever `response_format` asked for. */
  | { kind: 'json'; value: unknown }
  /**
   * An HTTP error in OpenAI's `{error:{message,type,code,param}}` shape; `retryAfterSeconds` sets
   * `retry-after` and `retry-after-ms`; `type` and `fields` (merged into the error object, e.g.
   * llama.cpp's `n_ctx`) reproduce other servers' bodies — see `contextExceededReply`.
   */
  | { kind: 'error'; status: number; message?: string; retryAfterSeconds?: number; code?: string | number; type?: string; fields?: Record<string, unknown> }
  /** Never answers, not even headers: only the client's timeout (or `close()`) ends it. */
  | { kind: 'hang' }
  /** Sends about the first half of `text` (chunks `chunkDelayMs` apart), then destroys the socket without `[DONE]`. */
  | { kind: 'cut'; text: string; chunkDelayMs?: number }
  /** 200 with empty content and `finish_reason: 'stop'`. */
  | { kind: 'empty' };

/** What the fake answers to one image generation request. `count` defaults to the request's `n` (or 1). */
export type ImageReply =
  /** `bytes`: what the base64 carries instead of a PNG (a provider answering junk). */
  | { kind: 'b64'; count?: number; bytes?: Buffer }
  /** `url`: an address to hand out instead of one of the fake's own files (a hostile provider). */
  | { kind: 'url'; count?: number; url?: string }
  | { kind: 'error'; status: number; message?: string; code?: string; retryAfterSeconds?: number };

/** `index` is the 0-based position of the request among requests to the same endpoint. */
export type ChatHandler = (request: RecordedRequest, index: number) => ChatReply | Promise<ChatReply>;
export type ImagesHandler = (request: RecordedRequest, index: number) => ImageReply | Promise<ImageReply>;

export interface FakeOpenAIOptions {
  /** Decides the reply to every chat completion request (streamed or not). Default: `defaultChatReply`, an echo of the last user message. */
  chat?: ChatHandler;
  /** Default: `defaultImageReply`, which honours the request's `response_format` (`url` or `b64_json`). */
  images?: ImagesHandler;
  /** Delay before the first byte of every `/v1` response, in ms. */
  latencyMs?: number;
  /** When set, `/v1` requests without `Authorization: Bearer <apiKey>` get 401 `invalid_api_key`. */
  apiKey?: string;
}

export interface FakeOpenAI {
  /** Base URL ending in `/v1`, for `new OpenAI({ baseURL })`. */
  url: string;
  /** Every request received, in arrival order (live array). */
  requests: RecordedRequest[];
  chatRequests(): RecordedRequest[];
  imageRequests(): RecordedRequest[];
  setChat(handler: ChatHandler): void;
  setImages(handler: ImagesHandler): void;
  /**
   * Most chat requests ever in flight at once (arrival → response closed). With `keyOf`, the peak
   * is counted per key (e.g. per model or per persona) and the highest per-key peak is returned.
   */
  inFlightPeak(keyOf?: (request: RecordedRequest) => string): number;
  /** Stops listening and destroys open connections, ending hanging requests. */
  close(): Promise<void>;
}
