/**
 * The sweeper, run by every worker process: every `intervalMs` one of them (a short Redis lease)
 * takes the sessions whose pending-work mark is older than `staleAfterMs` and makes sure each
 * has a live job (step-liveness.ts); sessions with no work left leave the index. So a session
 * whose job died — a crash between a commit and the next enqueue, a job that failed or stalled
 * out, an enqueue Redis refused — waits at most about `intervalMs + staleAfterMs`.
 *
 * Cost when all is well: one ZRANGEBYSCORE per interval, plus two reads per session that has
 * been busy on one step for longer than `staleAfterMs`.
 */
import type { RedisClient } from '../store/redis-connection.ts';
import type { Logger } from '../logging/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { RedisKeys } from '../store/keys.ts';
import type { PendingSessions } from './pending-sessions.ts';
import type { StepLiveness } from './step-liveness.ts';

const batchSize = 500;

export interface SweeperOptions {
  intervalMs: number;
  staleAfterMs: number;
}

export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly pending: PendingSessions,
    private readonly liveness: StepLiveness,
    private readonly options: SweeperOptions,
    private readonly logger: Logger,
    private readonly metrics?: Metrics,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'sweeper: sweep failed; trying again next interval'))
        .finally(() => (this.running = undefined));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One sweep; returns how many sessions it re-kicked or revived (0 when another worker holds the lease). */
  async sweep(now = Date.now()): Promise<number> {
    const lease = await this.redis.set(this.keys.sweeperLease(), String(process.pid), 'PX', Math.max(100, this.options.intervalMs - 50), 'NX');
    if (lease !== 'OK') return 0;
    let restarted = 0;
    for (const { sessionId, score } of await this.pending.due(now - this.options.staleAfterMs, batchSize)) {
      try {
        const result = await this.liveness.ensure(sessionId);
        if (result === 'gone' || result === 'idle') await this.pending.removeIfUnchanged(sessionId, score);
        else await this.pending.refresh(sessionId);
        if (result === 'kicked' || result === 'revived') {
          restarted += 1;
          this.metrics?.sessionsRekicked.inc({ how: result });
          this.logger.info({ sessionId, result, waitedMs: now - score }, 'sweeper: session had pending work and no live job');
        }
      } catch (error) {
        this.logger.warn({ err: error, sessionId }, 'sweeper: could not check a session');
      }
    }
    this.metrics?.pendingOldestSeconds.set((await this.pending.oldestAge()) / 1000);
    return restarted;
  }
}
