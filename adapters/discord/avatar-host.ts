/**
 * Persona pictures hosted by Discord itself, for when the bot has no public URL of its own
 * (PUBLIC_BASE_URL unset, so `PersonaIdentity.avatarUrl` is too). A webhook's own avatar, set
 * with a `data:image/png;base64,…` URI when it is created, is served at a stable public CDN URL,
 * `{DISCORD_CDN_URL}/avatars/{webhook id}/{avatar hash}.png`, which works as the `avatar_url` of
 * any webhook post in any channel. So each distinct avatar PNG gets one hosting webhook, named
 * `TableRound avatar <content hash>` and never executed, and the shared persona webhook's posts
 * point at its CDN URL. The URL changes with the picture (Discord's hash), so sticky avatar
 * caches are not a problem.
 *
 * Lookup order: in process (concurrent callers share one pending lookup per avatar), Redis by
 * avatar content hash (any channel's hosting webhook serves every channel), the channel's webhook
 * list (a hosting webhook that outlived its Redis entry is found by name), then one create. A
 * Redis lock per avatar keeps two workers from creating two hosting webhooks for one picture.
 *
 * Contract: `urlFor` never throws and never fails a post. Without a URL — the channel is at its
 * webhook cap (30007; one slot is always left free so the shared persona webhook can be
 * re-created), Manage Webhooks is missing, or Discord failed — the persona posts with Discord's
 * default picture, the channel is not asked again for `unavailableTtlSeconds`, and that is logged
 * once per channel and period (the marker is shared by all workers).
 *
 * Hazard: a hosting webhook deleted by an admin breaks its URL (default picture) until the Redis
 * entry expires; the entry's TTL is therefore not refreshed on use.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Routes, type APIWebhook, type REST } from 'discord.js';
import type { RedisClient } from '../../src/store/redis-connection.ts';
import type { PersonaIdentity } from '../../src/adapter/chat-adapter.ts';
import type { Logger } from '../../src/logging/logger.ts';
import type { RedisKeys } from '../../src/store/keys.ts';
import { DiscordErrorCode, isDiscordError } from './discord-errors.ts';

export interface AvatarHostDependencies {
  rest: REST;
  redis: RedisClient;
  keys: RedisKeys;
  logger: Logger;
  /** DISCORD_CDN_URL, e.g. `https://cdn.discordapp.com`. */
  cdnUrl: string;
  applicationId: string | undefined;
  /** The bot's user id (bot-user.ts), to recognise our own webhooks in a list. */
  botUserId: () => Promise<string | undefined>;
}

export const avatarWebhookNamePrefix = 'TableRound avatar ';
/** Discord's cap per channel, and the slots left free for the shared persona webhook. */
const webhooksPerChannel = 15;
const slotsKeptFree = 1;
/** Redis: a hosting webhook's URL by avatar hash. */
const hostedTtlSeconds = 7 * 24 * 3600;
/** Redis: "no hosting in this channel for now" (cap, permissions, errors). */
const unavailableTtlSeconds = 600;
/** In process: how long a known URL is used before Redis is asked again. */
const rememberedMs = 3_600_000;
const rememberedMax = 1_000;
/** The per-avatar lock, and how long another worker waits for its holder's result. */
const lockTtlMs = 15_000;
const lockWaitMs = 5_000;
const lockPollMs = 100;

const releaseLockScript = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export function avatarWebhookName(avatarHash: string): string {
  return `${avatarWebhookNamePrefix}${avatarHash}`.slice(0, 80);
}

export class AvatarHost {
  /** Avatar hash → lookup in flight (shared by concurrent callers). */
  private readonly pending = new Map<string, Promise<string | undefined>>();
  /** Avatar hash → hosted URL, until a time (ms). */
  private readonly remembered = new Map<string, { url: string; until: number }>();

  constructor(private readonly dependencies: AvatarHostDependencies) {}

  /**
   * The `avatar_url` for a persona's posts in a parent channel: the persona's own URL when it has
   * one, else the Discord-hosted copy of its PNG, else undefined (Discord's default picture).
   * Never throws.
   */
  async urlFor(parentId: string, persona: PersonaIdentity): Promise<string | undefined> {
    if (persona.avatarUrl) return persona.avatarUrl;
    const { avatarPng, avatarHash } = persona;
    if (!avatarPng || !avatarHash) return undefined;
    const known = this.remembered.get(avatarHash);
    if (known && known.until > Date.now()) return known.url;
    let lookup = this.pending.get(avatarHash);
    if (!lookup) {
      lookup = this.lookup(parentId, avatarHash, avatarPng)
        .catch(async (error: unknown) => {
          await this.markUnavailable(parentId, 'error', error);
          return undefined;
        })
        .finally(() => this.pending.delete(avatarHash));
      this.pending.set(avatarHash, lookup);
    }
    return lookup;
  }

  private async lookup(parentId: string, avatarHash: string, png: Buffer): Promise<string | undefined> {
    const { redis } = this.dependencies;
    const stored = await redis.get(this.hostedKey(avatarHash));
    if (stored) return this.remember(avatarHash, stored);
    if (await redis.exists(this.unavailableKey(parentId))) return undefined;
    const token = randomUUID();
    if ((await redis.set(this.lockKey(avatarHash), token, 'PX', lockTtlMs, 'NX')) !== 'OK') return this.awaitOtherWorker(parentId, avatarHash);
    try {
      // The previous holder may have finished between our read and our lock.
      const again = await redis.get(this.hostedKey(avatarHash));
      if (again) return this.remember(avatarHash, again);
      const url = await this.findOrCreate(parentId, avatarHash, png);
      if (!url) return undefined;
      await redis.set(this.hostedKey(avatarHash), url, 'EX', hostedTtlSeconds);
      return this.remember(avatarHash, url);
    } finally {
      // Best effort: the lock expires by itself.
      await redis.eval(releaseLockScript, 1, this.lockKey(avatarHash), token).catch(() => undefined);
    }
  }

  /** Another worker holds the lock: use its result, or go without a picture this time. */
  private async awaitOtherWorker(parentId: string, avatarHash: string): Promise<string | undefined> {
    const { redis } = this.dependencies;
    for (let waited = 0; waited < lockWaitMs; waited += lockPollMs) {
      await sleep(lockPollMs);
      const stored = await redis.get(this.hostedKey(avatarHash));
      if (stored) return this.remember(avatarHash, stored);
      if (await redis.exists(this.unavailableKey(parentId))) return undefined;
      if (!(await redis.exists(this.lockKey(avatarHash)))) return undefined;
    }
    return undefined;
  }

  private async findOrCreate(parentId: string, avatarHash: string, png: Buffer): Promise<string | undefined> {
    const { rest, applicationId, botUserId } = this.dependencies;
    const name = avatarWebhookName(avatarHash);
    const me = await botUserId();
    const ownIds = new Set([me, applicationId].filter((value): value is string => Boolean(value)));
    const existing = (await rest.get(Routes.channelWebhooks(parentId))) as APIWebhook[];
    const ours = existing.find((webhook) => webhook.name === name && webhook.avatar && (ownIds.has(webhook.application_id ?? '') || ownIds.has(webhook.user?.id ?? '')));
    if (ours?.avatar) return this.cdnUrl(ours.id, ours.avatar);
    if (existing.length >= webhooksPerChannel - slotsKeptFree) {
      await this.markUnavailable(parentId, `the channel has ${existing.length} webhooks (Discord's cap is ${webhooksPerChannel}; one is kept free)`);
      return undefined;
    }
    let created: APIWebhook;
    try {
      created = (await rest.post(Routes.channelWebhooks(parentId), {
        body: { name, avatar: `data:image/png;base64,${png.toString('base64')}` },
        reason: 'TableRound persona avatar (hosts the picture; never posts)',
      })) as APIWebhook;
    } catch (error) {
      if (!isDiscordError(error, DiscordErrorCode.MaximumWebhooks, DiscordErrorCode.MissingPermissions, DiscordErrorCode.MissingAccess)) throw error;
      await this.markUnavailable(parentId, isDiscordError(error, DiscordErrorCode.MaximumWebhooks) ? "the channel is at Discord's webhook cap" : 'Manage Webhooks is missing', error);
      return undefined;
    }
    if (!created.avatar) {
      await this.markUnavailable(parentId, 'Discord created the webhook without its avatar');
      return undefined;
    }
    return this.cdnUrl(created.id, created.avatar);
  }

  /** Marks the channel as not hosting for a while; logs only when the marker is new. */
  private async markUnavailable(parentId: string, reason: string, error?: unknown): Promise<void> {
    const { redis, logger } = this.dependencies;
    const fresh = await redis.set(this.unavailableKey(parentId), reason, 'EX', unavailableTtlSeconds, 'NX').catch(() => 'OK');
    if (fresh !== 'OK') return;
    logger.warn({ channel: parentId, reason, ...(error === undefined ? {} : { err: error }), retryAfterSeconds: unavailableTtlSeconds }, 'discord: persona pictures cannot be hosted in this channel; posting with the default picture');
  }

  private remember(avatarHash: string, url: string): string {
    if (this.remembered.size >= rememberedMax) this.remembered.delete(this.remembered.keys().next().value ?? '');
    this.remembered.set(avatarHash, { url, until: Date.now() + rememberedMs });
    return url;
  }

  private cdnUrl(webhookId: string, avatar: string): string {
    return `${this.dependencies.cdnUrl.replace(/\/+$/, '')}/avatars/${webhookId}/${avatar}.png`;
  }

  private hostedKey(avatarHash: string): string {
    return this.dependencies.keys.cache(`discord:avatar:${avatarHash}`);
  }

  private lockKey(avatarHash: string): string {
    return this.dependencies.keys.cache(`discord:avatar-lock:${avatarHash}`);
  }

  private unavailableKey(parentId: string): string {
    return this.dependencies.keys.cache(`discord:avatar-unavailable:${parentId}`);
  }
}
