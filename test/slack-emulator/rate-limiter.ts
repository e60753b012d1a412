/**
 * Slack's rate limits as the emulator enforces them: a sliding-window log per (rule, key).
 * Tiers are per method per workspace; `chat.postMessage` (and anything that posts a message) is
 * also limited per channel. Every refusal is recorded: tests treat a 429 as a failure.
 */

export interface RateRule {
  /** Calls allowed per window. */
  limit: number;
  windowMs: number;
  /**
   * Short bursts above the rate that are tolerated (Slack: "1 message per second per channel,
   * short bursts allowed"). With a burst the rule is a token bucket of capacity `limit + burst`
   * refilled at `limit / windowMs`: the sustained rate is enforced exactly, while one early
   * arrival (network or event-loop jitter) is absorbed. Without it: a strict sliding window.
   */
  burst?: number;
}

/** Slack's documented tiers, per method per workspace (calls per minute). */
export const slackTiers = {
  tier1: { limit: 1, windowMs: 60_000 },
  tier2: { limit: 20, windowMs: 60_000 },
  tier3: { limit: 50, windowMs: 60_000 },
  tier4: { limit: 100, windowMs: 60_000 },
} as const satisfies Record<string, RateRule>;

export interface RateLimitOptions {
  /** Messages per channel (`chat.postMessage`, `chat.startStream`, file shares): ~1 / s. */
  postMessagePerChannel: RateRule;
  /**
   * Messages per workspace: chat.postMessage's documented workspace-wide limit, "several hundred
   * messages per minute" (the reference page; java-slack-sdk's `SpecialTier_chat_postMessage`).
   * Default 300 a minute.
   */
  postMessagePerWorkspace?: RateRule;
  /** `chat.update`: Tier 3 per workspace. */
  updatePerWorkspace: RateRule;
  /** `chat.appendStream`, per workspace (treated as Tier 4). */
  streamPerWorkspace: RateRule;
  /** `chat.stopStream`: Tier 2 per workspace (~20 a minute). */
  stopPerWorkspace?: RateRule;
  /**
   * `chat.startStream`: Tier 2 per workspace (java-slack-sdk's rate table), on top of the
   * per-channel message rate (it posts a message). Defaults to the `chat.stopStream` rule: every
   * stream is started once and stopped once.
   */
  startStreamPerWorkspace?: RateRule;
  /** `conversations.replies`: Tier 3 per workspace. */
  repliesPerWorkspace?: RateRule;
  /**
   * `assistant.threads.setStatus`: a special tier ("Special rate limits apply"); the SDKs pace it
   * like `chat.postMessage`, ~1 a second per conversation (java-slack-sdk: 60/min per channel).
   */
  threadStatusPerChannel?: RateRule;
  /** Everything else (users.info, files.*, postEphemeral, auth.test): Tier 4. */
  defaultPerWorkspace: RateRule;
  /**
   * Jitter allowance: a window is judged as `windowMs - toleranceMs` long, so that a client that
   * paces to exactly the documented limit is not refused for a few ms of network jitter
   * (real Slack tolerates short bursts too).
   */
  toleranceMs: number;
}

/** ~1 a second per conversation, short bursts tolerated: the special tier of `assistant.threads.setStatus`. */
export const defaultThreadStatusPerChannel: RateRule = { limit: 1, windowMs: 1_000, burst: 1 };

export const defaultRateLimits: RateLimitOptions = {
  postMessagePerChannel: { limit: 1, windowMs: 1_000, burst: 1 },
  updatePerWorkspace: slackTiers.tier3,
  streamPerWorkspace: slackTiers.tier4,
  defaultPerWorkspace: slackTiers.tier4,
  toleranceMs: 25,
};

export interface RateLimitHit {
  method: string;
  key: string;
  at: number;
  retryAfterSeconds: number;
}

export class RateLimiter {
  private readonly log = new Map<string, number[]>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  readonly hits: RateLimitHit[] = [];

  constructor(
    private readonly options: RateLimitOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records the call and returns 0, or returns the seconds to wait (Retry-After) and records a hit. `scope`: the workspace's key prefix. */
  check(method: string, channel: string | undefined, scope = ''): number {
    const rules: { key: string; rule: RateRule }[] = [];
    const postsMessage = method === 'chat.postMessage' || method === 'chat.startStream' || method === 'files.completeUploadExternal';
    if (postsMessage) {
      if (channel) rules.push({ key: `post:${channel}`, rule: this.options.postMessagePerChannel });
      rules.push({ key: 'post-workspace', rule: this.options.postMessagePerWorkspace ?? { limit: 300, windowMs: 60_000 } });
    }
    if (method === 'chat.postMessage') {
      // Special tier: the per-channel and workspace message rules above, no method tier.
    } else if (method === 'assistant.threads.setStatus') {
      if (channel) rules.push({ key: `status:${channel}`, rule: this.options.threadStatusPerChannel ?? defaultThreadStatusPerChannel });
    } else if (method === 'chat.update') {
      rules.push({ key: 'update', rule: this.options.updatePerWorkspace });
    } else if (method === 'chat.appendStream') {
      rules.push({ key: 'stream', rule: this.options.streamPerWorkspace });
    } else if (method === 'chat.startStream') {
      rules.push({ key: 'start', rule: this.options.startStreamPerWorkspace ?? this.options.stopPerWorkspace ?? slackTiers.tier2 });
    } else if (method === 'chat.stopStream') {
      rules.push({ key: 'stop', rule: this.options.stopPerWorkspace ?? slackTiers.tier2 });
    } else if (method === 'conversations.replies') {
      rules.push({ key: 'replies', rule: this.options.repliesPerWorkspace ?? slackTiers.tier3 });
    } else {
      rules.push({ key: `method:${method}`, rule: this.options.defaultPerWorkspace });
    }

    const now = this.now();
    let waitMs = 0;
    let limitedKey = '';
    for (const { key: plainKey, rule } of rules) {
      // `scope` names the workspace: every rule is counted per workspace (channel ids are unique anyway).
      const key = scope + plainKey;
      if (rule.burst !== undefined) {
        const capacity = rule.limit + rule.burst;
        const bucket = this.buckets.get(key) ?? { tokens: capacity, at: now };
        bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) * rule.limit) / rule.windowMs);
        bucket.at = now;
        this.buckets.set(key, bucket);
        if (bucket.tokens < 1) {
          const wait = ((1 - bucket.tokens) * rule.windowMs) / rule.limit;
          if (wait > waitMs) {
            waitMs = wait;
            limitedKey = key;
          }
        }
        continue;
      }
      const window = Math.max(1, rule.windowMs - this.options.toleranceMs);
      const entries = (this.log.get(key) ?? []).filter((at) => at > now - window);
      this.log.set(key, entries);
      if (entries.length >= rule.limit) {
        const oldest = entries[entries.length - rule.limit] ?? now;
        const wait = oldest + window - now;
        if (wait > waitMs) {
          waitMs = wait;
          limitedKey = key;
        }
      }
    }
    if (waitMs > 0) {
      const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
      this.hits.push({ method, key: limitedKey, at: now, retryAfterSeconds });
      return retryAfterSeconds;
    }
    for (const { key, rule } of rules) {
      if (rule.burst !== undefined) {
        const bucket = this.buckets.get(key);
        if (bucket) bucket.tokens -= 1;
      } else this.log.get(key)?.push(now);
    }
    return 0;
  }
}
