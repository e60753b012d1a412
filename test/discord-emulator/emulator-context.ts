/** What every route handler can reach: the world, the gateway, limits, counters and test hooks. */
import type { ChannelRecord, EmulatorState, MessageRecord } from './emulator-state.ts';
import type { GatewayServer } from './gateway-server.ts';
import type { LimitSpec } from './rate-limiter.ts';

export interface EmulatorLimits {
  /** Per webhook: executes and edits (Discord observed ~5 / 2 s). */
  webhook: LimitSpec;
  /** Per parent channel, shared by all its webhooks, hidden until a 429 (observed ~30 / 60 s). */
  channelWebhooks: LimitSpec;
  /** Bot messages (create / edit) per channel or thread (observed 5 / 5 s). */
  channelMessages: LimitSpec;
  /** Global requests per second for the bot token. */
  globalPerSecond: number;
  /** Interaction tokens must be answered within this many ms (Discord: 3 s). */
  interactionResponseMs: number;
}

export const discordLimits: EmulatorLimits = {
  webhook: { limit: 5, windowMs: 2_000 },
  channelWebhooks: { limit: 30, windowMs: 60_000 },
  channelMessages: { limit: 5, windowMs: 5_000 },
  globalPerSecond: 50,
  interactionResponseMs: 3_000,
};

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  at: number;
}

/** One 429 the emulator answered: which request, which bucket and when (ms since epoch). */
export interface RateLimitHit {
  method: string;
  path: string;
  /** `user`: the route's own bucket (announced in headers); `shared`: the hidden per-channel webhook bucket. */
  scope: 'user' | 'shared';
  /** The emulator's bucket key, e.g. `webhook:123` or `channel-webhooks:456`. */
  bucket: string;
  /** How many requests the bucket's current window had already counted, and when that window opened. */
  countInWindow: number;
  windowStartedAt: number;
  at: number;
}

/** Test hooks the routes call at moments a bot may be awaiting; a returned promise delays the answer. */
export interface EmulatorHooks {
  /** After a thread was opened and THREAD_CREATE dispatched, before the REST answer. */
  threadCreated: Set<(thread: ChannelRecord) => void | Promise<void>>;
  /** After the bot created a message through REST (MESSAGE_CREATE dispatched), before the REST answer. */
  messageCreated: Set<(message: MessageRecord) => void | Promise<void>>;
}

export interface EmulatorContext {
  state: EmulatorState;
  gateway: GatewayServer;
  limits: EmulatorLimits;
  hooks: EmulatorHooks;
  baseUrl(): string;
  stats: {
    rateLimitHits: number;
    rateLimitedPaths: string[];
    /** Every 429 in detail (bucket, scope, window), for finding which pacing rule let a write through. */
    rateLimited: RateLimitHit[];
    requests: RequestLogEntry[];
    typing: { channelId: string; at: number }[];
  };
}
