/**
 * Gateway messages → the core. A mention of the bot in a text channel opens a public thread on
 * that message and starts a session in it; any person's message in a session thread is
 * submitted without a further mention; a reply to a persona's post asks that persona
 * (`addressedTo`, persona-posts.ts) while it is still on the panel. Ignored: the bot itself,
 * webhooks (its own persona posts included), other bots, system messages, DMs, channels outside
 * the allowlists. A replayed event acts once: thread messages by the session inbox's dedupe (by
 * message id), a starting mention by a claim that a failure a replay can fix releases
 * (adapters/shared/inbound-claim.ts).
 *
 * Hazard: `message.author` and `message.member` are live cache objects that every later gateway
 * event patches in place. A GUILD_MEMBER_UPDATE whose user is partial (name fields sent as null)
 * arriving during an await once left a session's starter as `{"displayName": null}`. So the
 * person, the text, the images and the replied-to post are read once, synchronously, before the
 * first await.
 */
import { ChannelType, MessageType, Routes, type Message } from 'discord.js';
import { buildSessionId } from '../../src/session/session-id.ts';
import { TableRoundError } from '../../src/errors.ts';
import { describeForPerson } from '../../src/engine/describe-error.ts';
import { t } from '../../src/i18n/translate.ts';
import type { ImageReference, Person } from '../../src/adapter/inbound-event.ts';
import { mentionNobody } from './format-content.ts';
import { botMissingPermissions, describeMissingPermissions } from './discord-permissions.ts';
import { imageReferences, isAllowed, onFirstSighting, openSessionThread, personOf, type InboundContext } from './inbound-context.ts';
import { redeliveryMayFix, type Handling } from '../shared/inbound-claim.ts';
import { repliedPostOf, type PersonaPosts, type RepliedPost } from './persona-posts.ts';

const quietErrors = new Set(['session_missing', 'session_ended']);

/** What the handlers use of a message, read before the first await. */
interface MessageSnapshot {
  person: Person;
  /** The content without mentions of the bot or of roles. */
  text: string;
  images: ImageReference[];
  /** The post this message replies to, if it is a reply. */
  repliedTo: RepliedPost | undefined;
}

export function isFromSelfOrMachine(message: Message, ownWebhookIds: ReadonlySet<string>): boolean {
  if (message.webhookId) return true; // persona posts (ownWebhookIds) and every other integration
  if (ownWebhookIds.has(message.author.id)) return true;
  return message.author.bot || message.system || (message.type !== MessageType.Default && message.type !== MessageType.Reply);
}

export function mentionsBot(message: Message, botId: string): boolean {
  if (message.mentions.users.has(botId)) return true;
  // Clicking the bot's managed role in the mention list is a common way to "mention the bot".
  return message.mentions.roles.some((role) => role.tags?.botId === botId);
}

export function topicFrom(content: string, botId: string): string {
  return content
    .replace(new RegExp(`<@!?${botId}>`, 'g'), ' ')
    .replace(/<@&\d+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export class MessageIntake {
  constructor(
    private readonly context: InboundContext,
    private readonly ownWebhookIds: ReadonlySet<string>,
    private readonly personaPosts: PersonaPosts,
  ) {}

  async handle(message: Message): Promise<void> {
    const botId = this.context.client.user?.id;
    if (!botId || message.author.id === botId || isFromSelfOrMachine(message, this.ownWebhookIds)) return;
    if (!message.inGuild() || !isAllowed(this.context.config, message.guildId, message.channel)) return;
    // Before the first await (see the hazard above).
    const snapshot: MessageSnapshot = {
      person: personOf(message.author, message.member, message.channel, undefined, { managerRole: this.context.config.COMMUNITY_MANAGER_ROLE }),
      text: topicFrom(message.content, botId),
      images: imageReferences(message.attachments),
      repliedTo: repliedPostOf(message),
    };
    const channel = message.channel;
    if (channel.isThread()) {
      if (channel.parentId) await this.submitThreadMessage(message, snapshot, channel.parentId, channel.id);
      return;
    }
    if ((channel.type === ChannelType.GuildText || channel.type === ChannelType.GuildAnnouncement) && mentionsBot(message, botId)) {
      // Claimed here, not in the inbox: starting a session is not an inbox event.
      await onFirstSighting(this.context, `message:${message.id}`, () => this.startFromMention(message, snapshot));
    }
  }

  private async submitThreadMessage(message: Message<true>, snapshot: MessageSnapshot, parentId: string, threadId: string): Promise<void> {
    const { person, text, images, repliedTo } = snapshot;
    if (!text && images.length === 0) return;
    const sessionId = buildSessionId({ platform: 'discord', channel: parentId, thread: threadId });
    try {
      // Who is asked is a refinement: failing to tell, the reply still goes in as a message.
      const addressedTo = repliedTo
        ? await this.addressedPersona(sessionId, threadId, repliedTo).catch((error: unknown) => {
            this.context.logger.debug({ err: error, sessionId }, 'discord: could not tell whose post a reply answers');
            return undefined;
          })
        : undefined;
      await this.context.roundtable.submit(sessionId, person, { type: 'message', text, images, messageId: message.id, ...(addressedTo ? { addressedTo } : {}) }, `discord:${message.id}`);
    } catch (error) {
      if (error instanceof TableRoundError && quietErrors.has(error.code)) return;
      this.context.logger.warn({ err: error, sessionId }, 'discord: could not submit a thread message');
      // Said in the thread, so only a sentence meant for people (never an error's own message).
      if (error instanceof TableRoundError) await this.reply(threadId, message.id, describeForPerson(error, await this.context.languageOf(sessionId)));
    }
  }

  /** The persona whose post was replied to, while it is on the session's panel; otherwise the reply is a plain message. */
  private async addressedPersona(sessionId: string, threadId: string, repliedTo: RepliedPost): Promise<string | undefined> {
    const personaId = await this.personaPosts.personaOf(sessionId, threadId, repliedTo);
    if (!personaId) return undefined;
    const status = await this.context.roundtable.status(sessionId);
    return status?.personas.some((persona) => persona.id === personaId) ? personaId : undefined;
  }

  /** `retry` when the start failed in a way a redelivery of the mention can get past. */
  private async startFromMention(message: Message<true>, snapshot: MessageSnapshot): Promise<Handling> {
    const { logger, roundtable, rest } = this.context;
    const { person, text: topic, images } = snapshot;
    if (!topic && images.length === 0) {
      await this.reply(message.channelId, message.id, 'Give me a topic to discuss: mention me followed by the topic, e.g. `@TableRound a lamp for reading in bed`.');
      return 'handled';
    }
    // The channel's settings first: switched off, the bot does not answer here at all; no thread
    // is opened for a start they refuse.
    const place = { platform: 'discord' as const, channel: message.channelId, thread: message.id, community: message.guildId };
    if (!(await roundtable.answersIn?.(place).catch(() => true) ?? true)) return 'handled';
    const refusal = await roundtable.startRefusal?.({ platform: 'discord', channel: message.channelId, thread: message.id, community: message.guildId }, person).catch(() => undefined);
    if (refusal) {
      await this.reply(message.channelId, message.id, refusal);
      return 'handled';
    }
    const missing = botMissingPermissions(this.context.client, message.channel);
    if (missing.length > 0) {
      logger.warn({ channel: message.channelId, missing }, 'discord: missing permissions to start a roundtable');
      await this.reply(message.channelId, message.id, describeMissingPermissions(missing, message.channelId));
      return 'handled';
    }
    let threadId: string;
    try {
      threadId = await openSessionThread(rest, message.channelId, message.id, topic || 'Image roundtable');
    } catch (error) {
      logger.warn({ err: error, channel: message.channelId }, 'discord: could not open a thread');
      await this.reply(message.channelId, message.id, describeMissingPermissions(['CreatePublicThreads', 'ReadMessageHistory'], message.channelId));
      return 'handled';
    }
    try {
      await roundtable.start({
        address: { platform: 'discord', channel: message.channelId, thread: threadId, community: message.guildId },
        person,
        topic: topic || 'What do these images suggest?',
        images,
      });
      return 'handled';
    } catch (error) {
      logger.warn({ err: error, threadId }, 'discord: could not start a session');
      // Said in the thread, so only a sentence meant for people (never an error's own message).
      const text = error instanceof TableRoundError && error.code !== 'internal' ? describeForPerson(error) : t(undefined, 'answer.startFailed');
      await rest.post(Routes.channelMessages(threadId), { body: { content: text, allowed_mentions: mentionNobody } }).catch(() => undefined);
      return redeliveryMayFix(error) ? 'retry' : 'handled';
    }
  }

  private async reply(channelId: string, messageId: string, content: string): Promise<void> {
    await this.context.rest
      .post(Routes.channelMessages(channelId), {
        body: { content, allowed_mentions: mentionNobody, message_reference: { message_id: messageId, fail_if_not_exists: false } },
      })
      .catch((error: unknown) => this.context.logger.warn({ err: error, channelId }, 'discord: could not reply'));
  }
}
