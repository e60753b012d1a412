/**
 * The outbound `ChatAdapter` for Discord: platform calls only — send a message as a persona
 * (the channel's webhook) or as the bot, edit it, show the poll, type, archive, download images,
 * and look a message up for the outbox's recovery. Splitting, streaming and exactly-once
 * delivery are the core's (src/outbound/, src/pipeline/step-outbox.ts).
 *
 * Every persona post carries an "Ask ⟨name⟩" button (ask-message.ts) in the post itself, set when
 * it is created: a streamed reply's later edits keep it, so it costs no write of its own.
 */
import { Routes, type APIMessage, type REST } from 'discord.js';
import type { ChatAdapter, EditRequest, PollView, PostLookup, SendRequest, Speaker, StreamingSupport } from '../../src/adapter/chat-adapter.ts';
import type { ImageReference } from '../../src/adapter/inbound-event.ts';
import type { Config } from '../../src/config/config-schema.ts';
import type { Logger } from '../../src/logging/logger.ts';
import { parseSessionId } from '../../src/session/session-id.ts';
import { DiscordErrorCode, isDiscordError } from './discord-errors.ts';
import type { DiscordPacing } from './discord-pacing.ts';
import type { DiscordPoster, SentMessage } from './discord-poster.ts';
import { mentionNobody, prepareContent } from './format-content.ts';
import { fetchImage } from './image-fetch.ts';
import { decodeMessageRef, encodeMessageRef, snowflakeTime } from './message-ref.ts';
import type { PersonaNames } from './persona-names.ts';
import { decodePollClick, renderPollComponents, renderPollText } from './poll-message.ts';
import { askButtonRow } from './ask-message.ts';
import type { WebhookRegistry } from './webhook-registry.ts';

/** Discord's hard limit is 2,000 characters; the core splits at 1,900 so rendering has room. */
const discordMessageLimit = 2_000;
const splitLimit = 1_900;
/** Discord shows "typing…" for ~10 s; refreshing more often only costs requests. */
const typingRefreshMs = 8_000;
/** Messages read back when looking one up: the newest of the thread. */
const lookupWindow = 50;

export interface DiscordChatAdapterDependencies {
  rest: REST;
  config: Config;
  poster: DiscordPoster;
  pacing: DiscordPacing;
  registry: WebhookRegistry;
  names: PersonaNames;
  logger: Logger;
  /** The bot's own user id (for recognising its messages). */
  botUserId: () => Promise<string | undefined>;
  /** The session's language, for the Ask button's label (session-language.ts); English without it. */
  languageOf?: (sessionId: string) => Promise<string | undefined>;
}

/** How many times a poll refresh reads the poll again after its write (a click may have shown a newer count meanwhile). */
const pollRechecks = 2;

export class DiscordChatAdapter implements ChatAdapter {
  readonly platform = 'discord' as const;
  readonly messageLimit = splitLimit;
  /** Slash commands with named options: `/vote action:close`. */
  readonly commandStyle = { kind: 'slash-options' } as const;
  /** Who may end any session here (inbound-context.ts `personOf`). */
  readonly managerTerm = 'someone with Manage Threads';
  readonly streaming: StreamingSupport;
  private readonly typingSentAt = new Map<string, number>();
  /** Session → the channel-window slot its current stream holds for its final edit. */
  private readonly finalEdits = new Map<string, string>();

  constructor(private readonly dependencies: DiscordChatAdapterDependencies) {
    this.streaming = {
      editIntervalMs: dependencies.config.DISCORD_EDIT_INTERVAL_MS,
      firstPostDelayMs: 0,
      mayStream: (sessionId: string) => this.holdFinalEdit(sessionId),
    };
  }

  render(text: string): string {
    const content = prepareContent(text);
    return content.length > discordMessageLimit ? `${content.slice(0, discordMessageLimit - 1)}…` : content;
  }

  /** A reply streams (post, then edits) only when its final edit can be held in the channel's window now. */
  private async holdFinalEdit(sessionId: string): Promise<boolean> {
    const { pacing, logger } = this.dependencies;
    const { channel } = parseSessionId(sessionId);
    const earlier = this.finalEdits.get(sessionId);
    if (earlier) {
      this.finalEdits.delete(sessionId);
      await pacing.releaseFinalEdit(channel, earlier).catch((error: unknown) => logger.debug({ err: error, sessionId }, 'discord: could not release a held edit (it lapses by itself)'));
    }
    const token = await pacing.holdFinalEdit(channel);
    if (!token) return false;
    if (this.finalEdits.size > 10_000) this.finalEdits.clear();
    this.finalEdits.set(sessionId, token);
    return true;
  }

  async send(request: SendRequest): Promise<string> {
    const { speaker, sessionId } = request;
    const ask = speaker.kind === 'persona' ? askButtonRow(speaker.persona.id, speaker.persona.displayName, await this.dependencies.languageOf?.(sessionId)) : undefined;
    const components = ask ? [ask] : undefined;
    const sent = await this.dependencies.poster.send(sessionId, speaker, request.text, request.files ?? [], components);
    return refOf(sent);
  }

  async edit(request: EditRequest): Promise<boolean> {
    const { poster, pacing, registry, logger } = this.dependencies;
    const decoded = decodeMessageRef(request.ref);
    if (!decoded) throw new Error(`not a Discord message ref: ${request.ref.slice(0, 40)}`);
    const address = parseSessionId(request.sessionId);
    let sent: SentMessage;
    if (decoded.via === 'webhook') {
      const webhook = await registry.get(address.channel);
      if (webhook.id !== decoded.webhookId) {
        // The webhook that posted it is gone (deleted and replaced): nobody can edit it any more.
        logger.warn({ sessionId: request.sessionId }, 'discord: the webhook of that message was replaced; cannot edit it');
        return true;
      }
      sent = { id: decoded.messageId, channelId: address.thread, parentId: address.channel, via: { kind: 'webhook', webhook } };
    } else {
      sent = { id: decoded.messageId, channelId: address.thread, parentId: address.channel, via: { kind: 'bot' } };
    }
    const target = poster.targetOf(sent);
    const held = request.budget === 'held' ? this.finalEdits.get(request.sessionId) : undefined;
    if (held) this.finalEdits.delete(request.sessionId);
    if (request.budget === 'skip') {
      if (!(await pacing.tryWrite(target))) return false;
    } else if (held) {
      await pacing.writeHeld(target, held);
    } else {
      await pacing.write(target);
    }
    await poster.edit(sent, request.text);
    return true;
  }

  /**
   * The newest messages of the thread, searched for one this bot sent as the speaker since the
   * lookup's time with the given text (or, for a poll, with vote buttons).
   */
  async findPost(sessionId: string, lookup: PostLookup): Promise<string | undefined> {
    const { rest, names, registry, botUserId } = this.dependencies;
    const address = parseSessionId(sessionId);
    const messages = (await rest.get(Routes.channelMessages(address.thread), { query: new URLSearchParams({ limit: String(lookupWindow) }) })) as APIMessage[];
    const excluded = new Set(lookup.exclude.map((ref) => decodeMessageRef(ref)?.messageId));
    const expected = lookup.text === undefined ? undefined : this.render(lookup.text);
    const persona = lookup.speaker.kind === 'persona' ? await names.nameFor(sessionId, lookup.speaker.persona) : undefined;
    const webhookId = persona ? (await registry.get(address.channel).catch(() => undefined))?.id : undefined;
    const bot = await botUserId();
    for (const message of messages) {
      if (excluded.has(message.id) || snowflakeTime(message.id) < lookup.since) continue;
      const byPersona = persona !== undefined && message.webhook_id !== undefined && message.webhook_id === webhookId && message.author.username === persona;
      const byBot = persona === undefined && message.webhook_id === undefined && message.author.id === bot;
      // A persona that fell back to the bot speaks as "**Name:** text".
      const byFallback = persona !== undefined && message.webhook_id === undefined && message.author.id === bot && expected !== undefined && message.content === `**${persona}:** ${expected}`.slice(0, discordMessageLimit);
      if (!byPersona && !byBot && !byFallback) continue;
      if (lookup.poll && !hasPollButtons(message)) continue;
      if (expected !== undefined && !lookup.poll && !byFallback && message.content !== expected) continue;
      if (lookup.fileNames?.length && !lookup.fileNames.every((name) => message.attachments.some((attachment) => attachment.filename === name))) continue;
      return message.webhook_id ? encodeMessageRef({ via: 'webhook', webhookId: message.webhook_id, messageId: message.id }) : encodeMessageRef({ via: 'bot', messageId: message.id });
    }
    return undefined;
  }

  async typing(sessionId: string, _speaker: Speaker): Promise<void> {
    const { thread } = parseSessionId(sessionId);
    const now = Date.now();
    if (now - (this.typingSentAt.get(thread) ?? 0) < typingRefreshMs) return;
    this.typingSentAt.set(thread, now);
    if (this.typingSentAt.size > 5_000) this.typingSentAt.clear();
    await this.dependencies.rest.post(Routes.channelTyping(thread)).catch((error: unknown) => this.dependencies.logger.debug({ err: error, sessionId }, 'discord: typing indicator failed'));
  }

  async showPoll(poll: PollView, existingRef: string | undefined, latest?: () => Promise<PollView | undefined>): Promise<string> {
    const { rest, pacing, poster, logger } = this.dependencies;
    const address = parseSessionId(poll.sessionId);
    // A closed poll's message is its result, in the session's language.
    const language = poll.status === 'open' ? undefined : await this.dependencies.languageOf?.(poll.sessionId);
    let content = renderPollText(poll, language);
    let components = renderPollComponents(poll);
    const existing = existingRef ? decodeMessageRef(existingRef) : undefined;
    if (existing) {
      await pacing.write({ kind: 'bot', parentId: address.channel, channelId: address.thread });
      // The slot may have taken seconds: show the poll as it is now (see ChatAdapter.showPoll).
      let fresh: PollView | undefined;
      try {
        fresh = latest ? await latest() : poll;
      } catch {
        fresh = poll;
      }
      // Nothing to show any more: the poll closed meanwhile, and the step that closed it shows the
      // result — an older open state written now would put the buttons back over it.
      if (!fresh) return encodeMessageRef({ via: 'bot', messageId: existing.messageId });
      if (fresh !== poll) {
        content = renderPollText(fresh, language);
        components = renderPollComponents(fresh);
      }
      try {
        await rest.patch(Routes.channelMessage(address.thread, existing.messageId), { body: { content, components, allowed_mentions: mentionNobody } });
        // A click's own update may have landed between the read and this write, which then put the
        // older count back over it: read once more and write again while the poll moved on.
        for (let recheck = 0; latest && recheck < pollRechecks; recheck++) {
          const after = await latest().catch(() => undefined);
          if (!after || (renderPollText(after, language) === content && JSON.stringify(renderPollComponents(after)) === JSON.stringify(components))) break;
          content = renderPollText(after, language);
          components = renderPollComponents(after);
          await pacing.write({ kind: 'bot', parentId: address.channel, channelId: address.thread });
          await rest.patch(Routes.channelMessage(address.thread, existing.messageId), { body: { content, components, allowed_mentions: mentionNobody } });
        }
        return encodeMessageRef({ via: 'bot', messageId: existing.messageId });
      } catch (error) {
        if (!isDiscordError(error, DiscordErrorCode.UnknownMessage)) throw error;
        logger.info({ sessionId: poll.sessionId }, 'discord: the poll message is gone; posting it again');
      }
    }
    return refOf(await poster.sendAsBot(address, content, [], components));
  }

  async archive(sessionId: string): Promise<void> {
    const { rest, logger } = this.dependencies;
    const { thread } = parseSessionId(sessionId);
    try {
      await rest.patch(Routes.channel(thread), { body: { archived: true, locked: true }, reason: 'TableRound session ended' });
    } catch (error) {
      if (!isDiscordError(error, DiscordErrorCode.MissingPermissions)) throw error;
      // Locking needs Manage Threads; the thread's creator may still archive it.
      logger.info({ sessionId }, 'discord: no Manage Threads; archiving without locking');
      await rest.patch(Routes.channel(thread), { body: { archived: true } });
    }
  }

  fetchImage(reference: ImageReference, maxBytes: number, signal?: AbortSignal): Promise<Buffer> {
    return fetchImage(reference, maxBytes, this.dependencies.config, signal);
  }

  fetchFile(reference: ImageReference, maxBytes: number, signal?: AbortSignal): Promise<Buffer> {
    return fetchImage(reference, maxBytes, this.dependencies.config, signal, 'any');
  }
}

/** A poll message: vote buttons (a persona post's Ask button does not make one). */
function hasPollButtons(message: APIMessage): boolean {
  return (message.components ?? []).some((row) => 'components' in row && row.components.some((component) => 'custom_id' in component && decodePollClick(component.custom_id) !== undefined));
}

function refOf(sent: SentMessage): string {
  return sent.via.kind === 'webhook' ? encodeMessageRef({ via: 'webhook', webhookId: sent.via.webhook.id, messageId: sent.id }) : encodeMessageRef({ via: 'bot', messageId: sent.id });
}
