/** What every route handler can reach: the world, the gateway, limits and counters. */
import type { EmulatorState } from './emulator-state.ts';
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

export interface EmulatorContext {
  state: EmulatorState;
  gateway: GatewayServer;
  limits: EmulatorLimits;
  baseUrl(): string;
  stats: { rateLimitHits: number; rateLimitedPaths: string[]; requests: RequestLogEntry[]; typing: { channelId: string; at: number }[] };
}
