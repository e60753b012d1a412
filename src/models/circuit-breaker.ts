/**
 * Stops hammering a failing provider: after `threshold` consecutive failures of an endpoint the
 * circuit opens for `openMs`, and calls fail at once with a clear message; one trial call is let
 * through when that time has passed (half-open). Per process: each worker learns on its own.
 */
export class CircuitBreaker {
  private readonly failures = new Map<string, { count: number; openUntil: number }>();

  constructor(
    private readonly threshold = 5,
    private readonly openMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until the circuit for `endpoint` closes again; 0 when calls may go through. */
  openFor(endpoint: string): number {
    const state = this.failures.get(endpoint);
    if (!state || state.count < this.threshold) return 0;
    const remaining = state.openUntil - this.now();
    if (remaining <= 0) {
      // Half-open: allow one trial; a failure re-opens the circuit.
      state.count = this.threshold - 1;
      return 0;
    }
    return remaining;
  }

  succeeded(endpoint: string): void {
    this.failures.delete(endpoint);
  }

  failed(endpoint: string): void {
    const state = this.failures.get(endpoint) ?? { count: 0, openUntil: 0 };
    state.count += 1;
    if (state.count >= this.threshold) state.openUntil = this.now() + this.openMs;
    this.failures.set(endpoint, state);
  }
}
