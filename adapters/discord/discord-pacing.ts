/**
 * Discord write pacing through the Redis-shared `RateBudget`, so every worker counts against the
 * same windows (platform-limits.md): per webhook ≤ DISCORD_WEBHOOK_WRITES per
 * DISCORD_WEBHOOK_WINDOW_MS, per parent channel ≤ DISCORD_CHANNEL_WRITES per
 * DISCORD_CHANNEL_WINDOW_MS + `handOffLagMs` (posts and edits, webhook or bot, threads count
 * to their parent), and a streamed message is edited at most once per DISCORD_EDIT_INTERVAL_MS.
 *
 * Posts and final edits wait for room (`reserve`); intermediate stream edits only take room
 * that is free right now (`tryWrite`), so a busy channel drops cosmetic edits, not content. A
 * streamed reply starts only when its final edit can be held in the channel's window now
 * (`holdFinalEdit`): otherwise it is posted once, finished — a busy channel never leaves a
 * half-written message waiting behind other sessions' posts.
 *
 * Hazard: a write is counted here when it is handed to discord.js, but Discord counts it when it
 * arrives. In between, discord.js may hold it: every session's posts and edits in a channel queue
 * behind one another on the one shared webhook (with discord.js's own waits for that bucket's
 * reset), and its global 50 requests/s limiter holds every request for up to a second and then
 * releases them together. Writes reserved late in one of our windows then land in Discord's next
 * window on top of that window's full quota: 31 arrivals in a 30-per-window channel bucket were
 * measured with the emulator. The channel bucket is hidden (no headers, so discord.js cannot
 * protect it), so our window is widened by the longest such hold: any `window + handOffLagMs`
 * of hand-offs then holds at most the limit, hence so does any `window` of arrivals. The webhook
 * bucket is not widened: discord.js reads its headers and waits for it itself.
 */
import type { Config } from '../../src/config/config-schema.ts';
import type { RateBudget, RateLimit } from '../../src/pacing/rate-budget.ts';

/** Bot-user messages in one channel or thread: Discord answers 5 per 5 s; keep one spare. */
const botWritesPerThread = 4;
const botWindowMs = 5_000;

/** How long discord.js's global limiter may hold a request (its window: 1 s). */
const globalLimiterHoldMs = 1_000;

/**
 * The longest a paced write may wait inside discord.js before it reaches Discord: one reset of
 * the webhook's bucket (the shared webhook's queue) plus a global-limiter hold. Milliseconds.
 */
export function handOffLagMs(config: Pick<Config, 'DISCORD_WEBHOOK_WINDOW_MS'>): number {
  return config.DISCORD_WEBHOOK_WINDOW_MS + globalLimiterHoldMs;
}

export type WriteTarget = { kind: 'webhook'; webhookId: string; parentId: string } | { kind: 'bot'; parentId: string; channelId: string };

export class DiscordPacing {
  constructor(
    private readonly budget: RateBudget,
    private readonly config: Config,
  ) {}

  get editIntervalMs(): number {
    return this.config.DISCORD_EDIT_INTERVAL_MS;
  }

  private channelLimit(parentId: string): RateLimit {
    return { bucket: `discord:channel:${parentId}`, limit: this.config.DISCORD_CHANNEL_WRITES, windowMs: this.config.DISCORD_CHANNEL_WINDOW_MS + handOffLagMs(this.config) };
  }

  private ownLimit(target: WriteTarget): RateLimit {
    return target.kind === 'webhook'
      ? { bucket: `discord:webhook:${target.webhookId}`, limit: this.config.DISCORD_WEBHOOK_WRITES, windowMs: this.config.DISCORD_WEBHOOK_WINDOW_MS }
      : { bucket: `discord:bot:${target.channelId}`, limit: botWritesPerThread, windowMs: botWindowMs };
  }

  limitsFor(target: WriteTarget): RateLimit[] {
    return [this.ownLimit(target), this.channelLimit(target.parentId)];
  }

  /** Holds a final edit's slot in the channel's window if there is room now; its token, or undefined. */
  holdFinalEdit(parentId: string): Promise<string | undefined> {
    return this.budget.tryHold([this.channelLimit(parentId)]);
  }

  releaseFinalEdit(parentId: string, token: string): Promise<void> {
    return this.budget.releaseHold([this.channelLimit(parentId)], token);
  }

  /** A held final edit happens now: spends the channel slot, waits for the webhook's (or thread's) own. */
  async writeHeld(target: WriteTarget, token: string): Promise<void> {
    await this.budget.spendHold([this.channelLimit(target.parentId)], token);
    await this.budget.reserve([this.ownLimit(target)]);
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
