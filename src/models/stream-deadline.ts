/**
 * The two clocks of one streamed model call, as an abort signal:
 * - until the first token, `firstTokenMs` from `start()` — covering the wait for the response
 *   headers and the first chunk that carries text. A local server (llama.cpp, Ollama) sends
 *   nothing while it reads a long prompt; that can take minutes and is not a stall.
 * - after it, `silenceMs` between two chunks: a stream that started and then went quiet is stuck.
 *
 * When a clock runs out the signal aborts with a `ModelTimeoutError` naming the phase, so the
 * caller can tell *our* timeout from the caller's own abort: the SDK reports both as "Request was
 * aborted" (APIUserAbortError), and an abort mid-stream just ends the iteration quietly.
 *
 * Hazard: `stop()` must run on every path (finally), or a timer keeps the process alive and may
 * abort a later, unrelated request sharing nothing but bad luck.
 */

export type TimeoutPhase = 'first_token' | 'between_chunks';

/** Our own deadline ran out. A provider failure: retried, and counted by the circuit breaker. */
export class ModelTimeoutError extends Error {
  override readonly name = 'ModelTimeoutError';

  constructor(
    readonly phase: TimeoutPhase,
    readonly afterMs: number,
  ) {
    super(phase === 'first_token' ? `no first token within ${afterMs} ms` : `stream silent for ${afterMs} ms after it had started`);
  }
}

export class StreamDeadline {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private started = false;

  constructor(
    private readonly firstTokenMs: number,
    private readonly silenceMs: number,
  ) {}

  /** Aborts with a `ModelTimeoutError` when a clock runs out. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The timeout that fired, if one did. */
  get timedOut(): ModelTimeoutError | undefined {
    return this.controller.signal.aborted ? (this.controller.signal.reason as ModelTimeoutError) : undefined;
  }

  /** Starts the first-token clock; call right before sending the request. */
  start(): void {
    this.arm('first_token', this.firstTokenMs);
  }

  /**
   * A chunk arrived. `carriesToken`: it has text (content or reasoning) or a finish reason — a
   * role-only opening chunk, sent by some servers with the headers, does not end the first phase.
   */
  chunk(carriesToken: boolean): void {
    if (this.controller.signal.aborted) return;
    if (!this.started && !carriesToken) return;
    this.started = true;
    this.arm('between_chunks', this.silenceMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(phase: TimeoutPhase, ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.controller.abort(new ModelTimeoutError(phase, ms)), ms);
  }
}
