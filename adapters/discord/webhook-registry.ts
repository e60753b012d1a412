/**
 * One bot-owned webhook per parent channel, shared by every persona of every session in it
 * (persona identity comes from per-message `username` / `avatar_url`).
 *
 * Why one shared webhook rather than one per persona: Discord caps a channel at 15 webhooks
 * (30007) and a panel can hold more personas than that across sessions; the hidden per-channel
 * limit (~30 writes / 60 s) is shared by all webhooks anyway, so more webhooks buy no throughput;
 * and one lookup per channel keeps the cache and the "Unknown Webhook" recovery simple.
 *
 * Lookups are cached in process (concurrent callers share one pending promise) and in Redis
 * (other workers skip the list call). `invalidate` after "Unknown Webhook" (10015) forces the
 * next lookup to list / create again.
 */
import { Routes, type REST, type APIWebhook } from 'discord.js';
import type { RedisClient } from '../../src/store/redis-connection.ts';
import type { RedisKeys } from '../../src/store/keys.ts';
import { TableRoundError } from '../../src/errors.ts';
import { DiscordErrorCode, isDiscordError } from './discord-errors.ts';

export interface WebhookCredentials {
  id: string;
  token: string;
}

export const personaWebhookName = 'TableRound personas';
const redisTtlSeconds = 7 * 24 * 3600;

export class WebhookRegistry {
  private readonly pending = new Map<string, Promise<WebhookCredentials>>();
  /** Every webhook id this process has used: inbound ignores their messages. */
  readonly knownIds = new Set<string>();

  constructor(
    private readonly rest: REST,
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly applicationId: string | undefined,
    /** The bot's user id (bot-user.ts). */
    private readonly botUserId: () => Promise<string | undefined>,
  ) {}

  get(parentId: string): Promise<WebhookCredentials> {
    let lookup = this.pending.get(parentId);
    if (!lookup) {
      lookup = this.lookup(parentId);
      this.pending.set(parentId, lookup);
      lookup.catch(() => this.pending.delete(parentId));
    }
    return lookup;
  }

  /** Forgets a webhook that Discord no longer knows (only if it is still the cached one). */
  async invalidate(parentId: string, webhookId: string): Promise<void> {
    const cached = this.pending.get(parentId);
    if (cached && (await cached.catch(() => undefined))?.id === webhookId) this.pending.delete(parentId);
    const stored = await this.redis.get(this.cacheKey(parentId));
    if (stored && (JSON.parse(stored) as WebhookCredentials).id === webhookId) await this.redis.del(this.cacheKey(parentId));
  }

  private cacheKey(parentId: string): string {
    return this.keys.cache(`discord:webhook:${parentId}`);
  }

  private async lookup(parentId: string): Promise<WebhookCredentials> {
    const stored = await this.redis.get(this.cacheKey(parentId));
    if (stored) return this.remember(JSON.parse(stored) as WebhookCredentials);
    const me = await this.botUserId();
    const ownIds = new Set([me, this.applicationId].filter((value): value is string => Boolean(value)));
    const existing = (await this.rest.get(Routes.channelWebhooks(parentId))) as APIWebhook[];
    const ours = existing.find((webhook) => webhook.token && webhook.name === personaWebhookName && (ownIds.has(webhook.application_id ?? '') || ownIds.has(webhook.user?.id ?? '')));
    let credentials: WebhookCredentials;
    if (ours?.token) {
      credentials = { id: ours.id, token: ours.token };
    } else {
      try {
        const created = (await this.rest.post(Routes.channelWebhooks(parentId), { body: { name: personaWebhookName }, reason: 'TableRound persona posts' })) as APIWebhook;
        if (!created.token) throw new Error('Discord returned a webhook without a token');
        credentials = { id: created.id, token: created.token };
      } catch (error) {
        if (isDiscordError(error, DiscordErrorCode.MaximumWebhooks)) {
          throw new TableRoundError('platform_failed', `channel ${parentId} has 15 webhooks`, {
            cause: error,
            publicMessage:
              "⚠️ This channel already has 15 webhooks, Discord's maximum, so the panel can't post under its own names. A server admin can delete an unused one in Channel Settings → Integrations → Webhooks; until then the panel speaks through me.",
          });
        }
        throw error;
      }
    }
    await this.redis.set(this.cacheKey(parentId), JSON.stringify(credentials), 'EX', redisTtlSeconds);
    return this.remember(credentials);
  }

  private remember(credentials: WebhookCredentials): WebhookCredentials {
    this.knownIds.add(credentials.id);
    return credentials;
  }
}
