/**
 * Slack pacing through the Redis-shared `RateBudget`, so every worker process shares it:
 * - messages (chat.postMessage, chat.startStream, file shares) ≤ SLACK_POSTS_PER_WINDOW per
 *   SLACK_POST_WINDOW_MS per channel, and ≤ SLACK_WORKSPACE_POSTS_PER_WINDOW per
 *   SLACK_WORKSPACE_POST_WINDOW_MS per workspace (chat.postMessage's documented workspace limit,
 *   "several hundred messages per minute");
 * - chat.update ≤ SLACK_UPDATES_PER_WINDOW per SLACK_UPDATE_WINDOW_MS per workspace (Tier 3 is
 *   per workspace, not per channel);
 * - chat.appendStream uses its own workspace bucket of the same size (its limit is undocumented;
 *   we stay as conservative as for chat.update);
 * - chat.startStream and chat.stopStream are each Tier 2 (~20/min per workspace): a bucket each,
 *   SLACK_STREAMS_PER_WINDOW per SLACK_STREAM_WINDOW_MS (chat.startStream also posts a message:
 *   it takes a channel message slot too);
 * - a stream holds, from the moment it is allowed to start (`holdStream`), the slots it needs to
 *   end — start and stop for a native stream, the final chat.update for post-then-update — so
 *   no stream ever waits half-written for a slot (RateBudget.tryHold);
 * - assistant.threads.setStatus ("is writing…") has a special tier that the SDKs pace like
 *   chat.postMessage (java-slack-sdk: 60/min per conversation): `threadStatusLimits` per channel
 *   AND per workspace. A status is decoration: it is only ever taken when free now, never waited for;
 * - conversations.replies (the outbox's lookups of an interrupted post) ≤ SLACK_REPLIES_PER_WINDOW
 *   per SLACK_REPLIES_WINDOW_MS per workspace (Tier 3);
 * - views.open (the Ask dialog) is Tier 4 (100+ a minute per workspace): `viewOpenLimit`, taken
 *   only when free now — its trigger_id expires 3 s after the click, so it cannot wait.
 */
import type { RateBudget, RateLimit } from '../../src/pacing/rate-budget.ts';
import type { Config } from '../../src/config/config-schema.ts';

/**
 * assistant.threads.setStatus budgets: ≤ 1 a second per channel (Slack's per-conversation rate)
 * and ≤ 60 a minute per workspace (the same figure applied workspace-wide, since Slack documents
 * no workspace number for this special tier: a guess on the safe side).
 */
export const threadStatusLimits = {
  perChannel: { limit: 1, windowMs: 1_000 },
  perWorkspace: { limit: 60, windowMs: 60_000 },
} as const;

/** views.open per workspace: Tier 4 is "100+ per minute"; a margin below it. */
export const viewOpenLimit = { limit: 90, windowMs: 60_000 } as const;

export class SlackPacing {
  constructor(
    private readonly budget: RateBudget,
    private readonly config: Pick<Config, 'SLACK_POSTS_PER_WINDOW' | 'SLACK_POST_WINDOW_MS' | 'SLACK_WORKSPACE_POSTS_PER_WINDOW' | 'SLACK_WORKSPACE_POST_WINDOW_MS' | 'SLACK_UPDATES_PER_WINDOW' | 'SLACK_UPDATE_WINDOW_MS' | 'SLACK_STREAMS_PER_WINDOW' | 'SLACK_STREAM_WINDOW_MS' | 'SLACK_REPLIES_PER_WINDOW' | 'SLACK_REPLIES_WINDOW_MS'>,
    /**
     * The workspace (team id) a channel belongs to: the workspace buckets are that workspace's.
     * One SLACK_BOT_TOKEN: the token's team (auth.test); OAuth installs: the channel's (slack-workspaces.ts).
     */
    private readonly workspaceOf: (channel: string) => Promise<string>,
  ) {}

  private postLimit(channel: string): RateLimit {
    return { bucket: `slack:post:${channel}`, limit: this.config.SLACK_POSTS_PER_WINDOW, windowMs: this.config.SLACK_POST_WINDOW_MS };
  }

  private async workspaceLimit(channel: string, kind: 'update' | 'append' | 'start' | 'stop'): Promise<RateLimit> {
    const workspace = await this.workspaceOf(channel);
    if (kind === 'start' || kind === 'stop') return { bucket: `slack:${kind}:${workspace}`, limit: this.config.SLACK_STREAMS_PER_WINDOW, windowMs: this.config.SLACK_STREAM_WINDOW_MS };
    return { bucket: `slack:${kind}:${workspace}`, limit: this.config.SLACK_UPDATES_PER_WINDOW, windowMs: this.config.SLACK_UPDATE_WINDOW_MS };
  }

  private async streamLimits(channel: string, kind: 'native' | 'edit'): Promise<RateLimit[]> {
    return kind === 'native' ? [await this.workspaceLimit(channel, 'start'), await this.workspaceLimit(channel, 'stop')] : [await this.workspaceLimit(channel, 'update')];
  }

  /** Holds what a stream of this kind needs to start and end, if there is room now; its token, or undefined. */
  async holdStream(channel: string, kind: 'native' | 'edit'): Promise<string | undefined> {
    return this.budget.tryHold(await this.streamLimits(channel, kind));
  }

  /** Gives back what a stream held and will not use. */
  async releaseStream(channel: string, kind: 'native' | 'edit', token: string): Promise<void> {
    await this.budget.releaseHold(await this.streamLimits(channel, kind), token);
  }

  /** A chat.startStream / chat.stopStream / final chat.update happens now: spends its held slot, or (no hold) waits for one. */
  async spend(channel: string, kind: 'start' | 'stop' | 'update', token: string | undefined): Promise<void> {
    const limit = await this.workspaceLimit(channel, kind);
    if (token) await this.budget.spendHold([limit], token);
    else await this.budget.reserve([limit]);
  }

  /** Waits for a message slot in the channel and in the workspace; `signal` ends the wait (it throws its reason). */
  async reservePost(channel: string, signal?: AbortSignal): Promise<void> {
    const workspace: RateLimit = { bucket: `slack:post-workspace:${await this.workspaceOf(channel)}`, limit: this.config.SLACK_WORKSPACE_POSTS_PER_WINDOW, windowMs: this.config.SLACK_WORKSPACE_POST_WINDOW_MS };
    await this.budget.reserve([this.postLimit(channel), workspace], signal);
  }

  /** Waits for a chat.update slot (final edits, poll updates: they must happen). */
  async reserveUpdate(channel: string): Promise<void> {
    await this.budget.reserve([await this.workspaceLimit(channel, 'update')]);
  }

  /** Takes a chat.update slot only if one is free now (intermediate stream edits: skippable). */
  async tryUpdate(channel: string): Promise<boolean> {
    return (await this.budget.tryReserve([await this.workspaceLimit(channel, 'update')])) === 0;
  }

  async reserveAppend(channel: string): Promise<void> {
    await this.budget.reserve([await this.workspaceLimit(channel, 'append')]);
  }

  async tryAppend(channel: string): Promise<boolean> {
    return (await this.budget.tryReserve([await this.workspaceLimit(channel, 'append')])) === 0;
  }

  /**
   * Waits for a `conversations.replies` slot (the outbox's message lookups). Tier 3 (50+ a
   * minute per workspace): under a storm of Redis faults the lookups alone went past the tier
   * (a 429 in CI), so they have a bucket of their own, shared by every worker.
   */
  async reserveReplies(channel: string): Promise<void> {
    await this.budget.reserve([{ bucket: `slack:replies:${await this.workspaceOf(channel)}`, limit: this.config.SLACK_REPLIES_PER_WINDOW, windowMs: this.config.SLACK_REPLIES_WINDOW_MS }]);
  }

  /** Takes a views.open slot only if one is free now (a trigger_id cannot wait). */
  async tryViewOpen(channel: string): Promise<boolean> {
    return (await this.budget.tryReserve([{ bucket: `slack:views:${await this.workspaceOf(channel)}`, ...viewOpenLimit }])) === 0;
  }

  /** Takes an assistant.threads.setStatus slot (channel and workspace) only if one is free now. */
  async tryThreadStatus(channel: string): Promise<boolean> {
    const workspace = await this.workspaceOf(channel);
    return (
      (await this.budget.tryReserve([
        { bucket: `slack:status:${channel}`, ...threadStatusLimits.perChannel },
        { bucket: `slack:status-workspace:${workspace}`, ...threadStatusLimits.perWorkspace },
      ])) === 0
    );
  }
}
