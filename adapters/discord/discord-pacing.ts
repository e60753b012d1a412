/**
 * Discord write pacing through the Redis-shared `RateBudget`, so every worker counts against the
 * same windows (platform-limits.md): per webhook ≤ DISCORD_WEBHOOK_WRITES per
 * DISCORD_WEBHOOK_WINDOW_MS, per parent channel ≤ DISCORD_CHANNEL_WRITES per
 * DISCORD_CHANNEL_WINDOW_MS (posts and edits, webhook or bot, threads count to their parent),
 * and a streamed message is edited at most once per DISCORD_EDIT_INTERVAL_MS.
 *
 * Posts and final edits wait for room (`reserve`); intermediate stream edits only take room
 * that is free right now (`tryWrite`), so a busy channel drops cosmetic edits, not content.
 */
import type { Config } from '../../src/config/config-schema.ts';
import type { RateBudget, RateLimit } from '../../src/pacing/rate-budget.ts';

/** Bot-user messages in one channel or thread: Discord answers 5 per 5 s; keep one spare. */
const botWritesPerThread = 4;
const botWindowMs = 5_000;

export type WriteTarget = { kind: 'webhook'; webhookId: string; parentId: string } | { kind: 'bot'; parentId: string; channelId: string };

export class DiscordPacing {
  constructor(
    private readonly budget: RateBudget,
    private readonly config: Config,
  ) {}

  get editIntervalMs(): number {
    return this.config.DISCORD_EDIT_INTERVAL_MS;
  }

  limitsFor(target: WriteTarget): RateLimit[] {
    const channel: RateLimit = { bucket: `discord:channel:${target.parentId}`, limit: this.config.DISCORD_CHANNEL_WRITES, windowMs: this.config.DISCORD_CHANNEL_WINDOW_MS };
    if (target.kind === 'webhook') {
      return [{ bucket: `discord:webhook:${target.webhookId}`, limit: this.config.DISCORD_WEBHOOK_WRITES, windowMs: this.config.DISCORD_WEBHOOK_WINDOW_MS }, channel];
    }
    return [{ bucket: `discord:bot:${target.channelId}`, limit: botWritesPerThread, windowMs: botWindowMs }, channel];
  }

  /** Waits until the write fits every window, then reserves it. */
  async write(target: WriteTarget): Promise<void> {
    await this.budget.reserve(this.limitsFor(target));
  }

  /** Reserves only if there is room now; false means "skip this cosmetic write". */
  async tryWrite(target: WriteTarget): Promise<boolean> {
    return (await this.budget.tryReserve(this.limitsFor(target))) === 0;
  }
}
