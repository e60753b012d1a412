/**
 * Workspaces that refused a chart block. Slack rolls features out in phases, and a workspace
 * without the `data_visualization` block answers `invalid_blocks`: once that happened, later
 * charts there go straight to the picture instead of paying a refused call each.
 *
 * Remembered in process and — given Redis — for every process, under the app's cache keys
 * (`{prefix}:cache:slack:charts-refused:{team}`), for `ttlMs` (a day: the workspace may get the
 * feature later, and a block this app built wrong must not switch charts off for good). Redis is
 * best effort both ways: when it cannot be read, the chart is tried (one refused call at most).
 */
import type { RedisClient } from '../../src/store/redis-connection.ts';
import type { RedisKeys } from '../../src/store/keys.ts';

/** How long a refusal is remembered (ms). */
export const chartRefusalTtlMs = 24 * 60 * 60 * 1_000;
/** Bounds the in-process map (one entry per workspace that refused). */
const bounded = 1_000;

export class ChartRefusals {
  /** Workspace → until when its refusal is remembered (ms). */
  private readonly known = new Map<string, number>();

  constructor(
    private readonly shared?: { redis: RedisClient; keys: RedisKeys },
    private readonly ttlMs = chartRefusalTtlMs,
  ) {}

  private key(workspace: string): string {
    return this.shared?.keys.cache(`slack:charts-refused:${workspace}`) ?? '';
  }

  /** True when this workspace refused a chart within `ttlMs` (here, or in another process). */
  async refuses(workspace: string): Promise<boolean> {
    const until = this.known.get(workspace);
    if (until !== undefined && until > Date.now()) return true;
    this.known.delete(workspace);
    if (!this.shared) return false;
    const remainingMs = await this.shared.redis.pttl(this.key(workspace)).catch(() => -2);
    if (remainingMs <= 0) return false;
    this.remember(workspace, remainingMs);
    return true;
  }

  /** Remembers that the workspace refused a chart (in process at once; in Redis when it answers). */
  async refused(workspace: string): Promise<void> {
    this.remember(workspace, this.ttlMs);
    await this.shared?.redis.set(this.key(workspace), '1', 'PX', this.ttlMs).catch(() => undefined);
  }

  private remember(workspace: string, forMs: number): void {
    if (this.known.size >= bounded) this.known.clear();
    this.known.set(workspace, Date.now() + forMs);
  }
}
