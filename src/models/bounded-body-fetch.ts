/**
 * A `fetch` for the openai SDK whose response bodies are bounded in size and in time.
 *
 * The hazard it exists for: the SDK buffers a non-streamed answer whole (`response.json()`), and
 * its own timeout stops counting once the headers have arrived. An "OpenAI-compatible" image
 * endpoint answering an endless JSON body grew the worker's memory until it died; one trickling
 * it held the step for ever. Here the body is counted while it streams: the chunk that crosses
 * `maxBytes` is dropped, the body errors with `tooLarge()` (the SDK's parse rejects with exactly
 * that error) and the connection is cancelled — at most `maxBytes` are ever buffered. A body not
 * complete `deadlineMs` after the request started errors with `tooSlow()` the same way.
 *
 * Errors travel in the body, never as a rejected fetch: the SDK turns a rejected fetch into a
 * connection error and retries it, and a retry would ask (and pay) again.
 */
import type { ClientOptions } from 'openai';

export type Fetch = NonNullable<ClientOptions['fetch']>;

export interface BodyLimits {
  /** Bytes of body (as received, after content decoding) allowed; one more is an error. */
  maxBytes: number;
  /** Milliseconds from the request's start by which the body must be complete. */
  deadlineMs: number;
  /** The error a body over `maxBytes` fails with (a coded error whose public message is short and true). */
  tooLarge: () => Error;
  /** The error a body still arriving at `deadlineMs` fails with. */
  tooSlow: () => Error;
}

export function boundedBodyFetch(limits: BodyLimits, base: Fetch = fetch): Fetch {
  return async (input, init) => {
    const startedAt = Date.now();
    const response = await base(input, init);
    if (!response.body) return response;
    const announced = Number(response.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(announced) && announced > limits.maxBytes) {
      await response.body.cancel().catch(() => undefined);
      return withBody(response, failingBody(limits.tooLarge()));
    }
    return withBody(response, response.body.pipeThrough(boundingStream(limits, limits.deadlineMs - (Date.now() - startedAt))));
  };
}

/** Passes chunks through while they stay under the cap and the deadline; errors (and so cancels the source) otherwise. */
function boundingStream(limits: BodyLimits, remainingMs: number): TransformStream<Uint8Array, Uint8Array> {
  let received = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new TransformStream<Uint8Array, Uint8Array>({
    start(controller) {
      timer = setTimeout(() => controller.error(limits.tooSlow()), Math.max(0, remainingMs));
      // A body nobody reads any more must not keep the process alive.
      timer.unref?.();
    },
    transform(chunk, controller) {
      received += chunk.byteLength;
      if (received > limits.maxBytes) {
        clearTimeout(timer);
        controller.error(limits.tooLarge());
        return;
      }
      controller.enqueue(chunk);
    },
    flush() {
      clearTimeout(timer);
    },
  });
}

function failingBody(error: Error): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({ start: (controller) => controller.error(error) });
}

/** The same status and headers around another body. */
function withBody(response: Response, body: ReadableStream<Uint8Array>): Response {
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
