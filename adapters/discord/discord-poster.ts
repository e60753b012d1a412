/**
 * Posting and editing in a session thread: personas through the channel's shared webhook with
 * per-message `username` / `avatar_url` and `thread_id`, the moderator as the bot user. Every
 * write is paced (discord-pacing.ts) and carries `allowed_mentions: {parse: []}`. `avatar_url` is
 * the persona's own URL (PUBLIC_BASE_URL) or, without one, a Discord-hosted copy of its picture
 * (avatar-host.ts); the pacing reservation is taken last, right before the request.
 *
 * "Unknown Webhook" (10015) → the cached webhook is dropped and the write retried once with a
 * fresh one. No usable webhook (15-webhook cap, missing Manage Webhooks) → one clear notice in
 * the thread and the persona speaks through the bot with its name in bold, so the session goes on.
 *
 * `components` (the Ask button, ask-message.ts) ride on the post itself, never a write of their
 * own; edits leave them as they are (an edit without `components` keeps the message's). The
 * webhook is application-owned (created with the bot's token), and Discord lets application-owned
 * webhooks send interactive components; `with_components=true` is sent as well, as the execute
 * route documents it for "all components".
 */
import { Routes, type REST, type RawFile } from 'discord.js';
import type { RedisClient } from '../../src/store/redis-connection.ts';
import type { Logger } from '../../src/logging/logger.ts';
import type { RedisKeys } from '../../src/store/keys.ts';
import type { OutboundFile, PersonaIdentity, Speaker } from '../../src/adapter/chat-adapter.ts';
import { parseSessionId, type SessionAddress } from '../../src/session/session-id.ts';
import { TableRoundError } from '../../src/errors.ts';
import { describeForPerson } from '../../src/engine/describe-error.ts';
import { mentionNobody } from './format-content.ts';
import { DiscordErrorCode, isDiscordError } from './discord-errors.ts';
import { describeMissingPermissions, permissionsForOperation } from './discord-permissions.ts';
import type { DiscordPacing, WriteTarget } from './discord-pacing.ts';
import type { AvatarHost } from './avatar-host.ts';
import type { PersonaNames } from './persona-names.ts';
import type { WebhookCredentials, WebhookRegistry } from './webhook-registry.ts';
import { beforeSending } from '../../src/adapter/not-sent.ts';

export interface SentMessage {
  id: string;
  /** The thread it lives in. */
  channelId: string;
  parentId: string;
  via: { kind: 'webhook'; webhook: WebhookCredentials } | { kind: 'bot' };
}

export interface PosterDependencies {
  rest: REST;
  registry: WebhookRegistry;
  names: PersonaNames;
  pacing: DiscordPacing;
  redis: RedisClient;
  keys: RedisKeys;
  logger: Logger;
  /** Hosts persona pictures on Discord when they have no URL of their own; without it, no `avatar_url` then. */
  avatars?: AvatarHost;
  /** The session's language, for the notice about a missing webhook (never throws; default English). */
  languageOf?: (sessionId: string) => Promise<string | undefined>;
}

const noticeTtlSeconds = 600;

export class DiscordPoster {
  constructor(private readonly dependencies: PosterDependencies) {}

  /** Sends one message (≤ 2000 chars, already prepared) as the speaker, with its components if any. Paced. */
  async send(sessionId: string, speaker: Speaker, content: string, files: readonly OutboundFile[] = [], components?: unknown[]): Promise<SentMessage> {
    const address = parseSessionId(sessionId);
    if (speaker.kind === 'moderator') return this.sendAsBot(address, content, files, components);
    const persona = speaker.persona;
    const username = await this.dependencies.names.nameFor(sessionId, persona);
    try {
      return await this.sendViaWebhook(address, username, persona, content, files, components, true);
    } catch (error) {
      const noWebhook = error instanceof TableRoundError || isDiscordError(error, DiscordErrorCode.MissingPermissions, DiscordErrorCode.MissingAccess);
      if (!noWebhook) throw error;
      // Posted in the thread: a sentence meant for people, never the error's own message.
      const notice = error instanceof TableRoundError ? describeForPerson(error, await this.dependencies.languageOf?.(sessionId)) : describeMissingPermissions(permissionsForOperation.webhook, address.channel);
      await this.noticeOnce(address, 'webhook', notice);
      return this.sendAsBot(address, `**${username}:** ${content}`.slice(0, 2000), files, components);
    }
  }

  /** Edits a message sent by `send`. Paced by the caller (streams decide how often). */
  async edit(sent: SentMessage, content: string): Promise<void> {
    const body = { content, allowed_mentions: mentionNobody };
    if (sent.via.kind === 'webhook') {
      const { webhook } = sent.via;
      await this.dependencies.rest.patch(Routes.webhookMessage(webhook.id, webhook.token, sent.id), {
        body,
        query: new URLSearchParams({ thread_id: sent.channelId }),
        auth: false,
      });
    } else {
      await this.dependencies.rest.patch(Routes.channelMessage(sent.channelId, sent.id), { body });
    }
  }

  targetOf(sent: SentMessage): WriteTarget {
    return sent.via.kind === 'webhook'
      ? { kind: 'webhook', webhookId: sent.via.webhook.id, parentId: sent.parentId }
      : { kind: 'bot', parentId: sent.parentId, channelId: sent.channelId };
  }

  /** Posts a notice into the thread once per ten minutes per channel and kind. */
  async noticeOnce(address: SessionAddress, kind: string, text: string): Promise<void> {
    const { redis, keys, logger } = this.dependencies;
    const fresh = await redis.set(keys.cache(`discord:notice:${address.channel}:${kind}`), '1', 'EX', noticeTtlSeconds, 'NX');
    if (fresh !== 'OK') return;
    logger.warn({ channel: address.channel, kind }, 'discord: posting a notice about a platform problem');
    await this.sendAsBot(address, text, []).catch((error: unknown) => logger.warn({ err: error }, 'discord: the notice could not be posted either'));
  }

  private async sendViaWebhook(
    address: SessionAddress,
    username: string,
    persona: PersonaIdentity,
    content: string,
    files: readonly OutboundFile[],
    components: unknown[] | undefined,
    mayRetry: boolean,
  ): Promise<SentMessage> {
    const { registry, pacing, rest, avatars } = this.dependencies;
    // The shared webhook first: hosting webhooks must never take the slot it needs.
    const webhook = await registry.get(address.channel);
    const avatarUrl = avatars ? await avatars.urlFor(address.channel, persona) : persona.avatarUrl;
    await beforeSending(pacing.write({ kind: 'webhook', webhookId: webhook.id, parentId: address.channel }));
    try {
      const message = (await rest.post(Routes.webhook(webhook.id, webhook.token), {
        body: { content, username, ...(avatarUrl ? { avatar_url: avatarUrl } : {}), allowed_mentions: mentionNobody, ...(components ? { components } : {}), ...attachmentsBody(files) },
        files: toRawFiles(files),
        query: new URLSearchParams({ wait: 'true', thread_id: address.thread, ...(components ? { with_components: 'true' } : {}) }),
        auth: false,
      })) as { id: string };
      return { id: message.id, channelId: address.thread, parentId: address.channel, via: { kind: 'webhook', webhook } };
    } catch (error) {
      if (mayRetry && isDiscordError(error, DiscordErrorCode.UnknownWebhook)) {
        this.dependencies.logger.info({ channel: address.channel, webhookId: webhook.id }, 'discord: webhook vanished; refreshing and retrying once');
        await registry.invalidate(address.channel, webhook.id);
        return this.sendViaWebhook(address, username, persona, content, files, components, false);
      }
      throw error;
    }
  }

  async sendAsBot(address: SessionAddress, content: string, files: readonly OutboundFile[], components?: unknown[]): Promise<SentMessage> {
    const { pacing, rest } = this.dependencies;
    await beforeSending(pacing.write({ kind: 'bot', parentId: address.channel, channelId: address.thread }));
    try {
      const message = (await rest.post(Routes.channelMessages(address.thread), {
        body: { content, allowed_mentions: mentionNobody, ...(components ? { components } : {}), ...attachmentsBody(files) },
        files: toRawFiles(files),
      })) as { id: string };
      return { id: message.id, channelId: address.thread, parentId: address.channel, via: { kind: 'bot' } };
    } catch (error) {
      if (files.length > 0 && isDiscordError(error, DiscordErrorCode.MissingPermissions)) {
        // Most likely Attach Files: say so, and still deliver the text.
        await this.noticeOnce(address, 'files', describeMissingPermissions(permissionsForOperation.files, address.channel));
        if (content) return this.sendAsBot(address, content, [], components);
      }
      throw error;
    }
  }
}

function attachmentsBody(files: readonly OutboundFile[]): { attachments?: { id: number; filename: string; description?: string }[] } {
  if (files.length === 0) return {};
  return { attachments: files.map((file, index) => ({ id: index, filename: file.filename, ...(file.description ? { description: file.description.slice(0, 1024) } : {}) })) };
}

function toRawFiles(files: readonly OutboundFile[]): RawFile[] | undefined {
  if (files.length === 0) return undefined;
  return files.map((file, index) => ({ key: `files[${index}]`, name: file.filename, data: file.bytes, contentType: file.contentType }));
}
