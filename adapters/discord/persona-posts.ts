/**
 * Which persona wrote the post a person replied to (a Discord message reference), so that the
 * reply asks that persona (`addressedTo`).
 *
 * Resolved by the post's name, not by a record per post: the session's name registry
 * (persona-names.ts) already holds the one fact "this webhook name is this persona in this
 * session" — unique within the session by construction, and written before the persona's first
 * post goes out — so any post covers itself: made by any worker, found again after a crash, or
 * streamed and edited, without a Redis write per post. The post must be ours: sent through an
 * application-owned webhook of this application (the message's `application_id`, which Discord
 * sets on application-owned webhook messages), or by the bot itself as "**Name:** text" (the
 * fallback when no webhook can be used, discord-poster.ts). Another integration's webhook posting
 * under a persona's name in the thread is not mistaken for it.
 *
 * Hazard: `message.channel.messages.cache` holds live objects patched by later gateway events;
 * `repliedPostOf` copies what it needs synchronously, before the caller's first await.
 */
import { MessageType, Routes, type APIMessage, type Message, type REST } from 'discord.js';
import type { Logger } from '../../src/logging/logger.ts';
import type { PersonaNames } from './persona-names.ts';

/** Who sent a post, as far as telling a persona's post goes. */
export interface PostAuthorship {
  webhookId: string | null;
  applicationId: string | null;
  authorId: string;
  username: string;
  content: string;
}

export interface RepliedPost {
  messageId: string;
  /** The referenced message as the gateway delivered it (`referenced_message`), when it did. */
  seen?: PostAuthorship;
}

/** The post a message replies to, read synchronously (see the hazard above); undefined for a message that is not a reply. */
export function repliedPostOf(message: Message): RepliedPost | undefined {
  const messageId = message.type === MessageType.Reply ? message.reference?.messageId : undefined;
  if (!messageId) return undefined;
  const cached = message.channel.messages.cache.get(messageId);
  if (!cached) return { messageId };
  return { messageId, seen: { webhookId: cached.webhookId, applicationId: cached.applicationId, authorId: cached.author.id, username: cached.author.username, content: cached.content } };
}

export interface PersonaPostsDependencies {
  rest: REST;
  names: PersonaNames;
  /** This application's id (READY's `application.id`, else DISCORD_APPLICATION_ID). */
  applicationId: () => string | undefined;
  botUserId: () => Promise<string | undefined>;
  logger: Logger;
}

/** The bot's fallback form of a persona post: "**Name:** text" (discord-poster.ts). */
const fallbackPrefix = /^\*\*(.{1,80}?):\*\* /s;

export class PersonaPosts {
  constructor(private readonly dependencies: PersonaPostsDependencies) {}

  /** The persona id of the replied-to post in this session's thread, or undefined (not a persona's post, gone, unreadable). */
  async personaOf(sessionId: string, threadId: string, post: RepliedPost): Promise<string | undefined> {
    const authorship = post.seen ?? (await this.fetch(threadId, post.messageId));
    if (!authorship) return undefined;
    const name = await this.personaNameOf(authorship);
    return name === undefined ? undefined : this.dependencies.names.personaNamed(sessionId, name);
  }

  private async personaNameOf(post: PostAuthorship): Promise<string | undefined> {
    const application = this.dependencies.applicationId();
    if (post.webhookId) return application !== undefined && post.applicationId === application ? post.username : undefined;
    if (post.authorId !== (await this.dependencies.botUserId())) return undefined;
    return fallbackPrefix.exec(post.content)?.[1];
  }

  /** The referenced message over REST (the gateway may leave `referenced_message` out). */
  private async fetch(threadId: string, messageId: string): Promise<PostAuthorship | undefined> {
    try {
      const message = (await this.dependencies.rest.get(Routes.channelMessage(threadId, messageId))) as APIMessage;
      return { webhookId: message.webhook_id ?? null, applicationId: message.application_id ?? null, authorId: message.author.id, username: message.author.username, content: message.content };
    } catch (error) {
      this.dependencies.logger.debug({ err: error, threadId }, 'discord: could not read the message a reply refers to');
      return undefined;
    }
  }
}
