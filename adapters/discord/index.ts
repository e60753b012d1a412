/**
 * The Discord platform adapter: `createDiscordAdapter(dependencies)` wires the outbound
 * `ChatAdapter` (webhook personas, streaming, typing, polls, archive, image download) and the
 * inbound gateway (mentions, thread messages, slash commands, vote buttons).
 * Only this folder imports discord.js.
 */
import { Events, Routes, type Client } from 'discord.js';
import type { ChatAdapter, PollView, PostRequest } from '../../src/adapter/chat-adapter.ts';
import type { AdapterDependencies, PlatformAdapter } from '../../src/adapter/platform-adapter.ts';
import { parseSessionId } from '../../src/session/session-id.ts';
import { TableRoundError } from '../../src/errors.ts';
import { createDiscordClient, RateLimitCounter } from './discord-client.ts';
import { DiscordPacing } from './discord-pacing.ts';
import { WebhookRegistry } from './webhook-registry.ts';
import { PersonaNames } from './persona-names.ts';
import { DiscordPoster } from './discord-poster.ts';
import { StreamWriter } from './stream-writer.ts';
import { renderPollComponents, renderPollText } from './poll-message.ts';
import { mentionNobody } from './format-content.ts';
import { DiscordErrorCode, isDiscordError } from './discord-errors.ts';
import { fetchImage } from './image-fetch.ts';
import { MessageIntake } from './message-intake.ts';
import { SlashCommands } from './slash-commands.ts';
import { PollButtons } from './poll-buttons.ts';
import { BallotToggles } from './ballot-toggles.ts';
import type { InboundContext } from './inbound-context.ts';

/** Discord shows "typing…" for ~10 s; refreshing more often only costs requests. */
const typingRefreshMs = 8_000;

export interface DiscordPlatformAdapter extends PlatformAdapter {
  /** 429 responses received since start (discord.js retried them; pacing should keep this at 0). */
  rateLimitHits(): number;
  readonly client: Client;
}

export function createDiscordAdapter(dependencies: AdapterDependencies): DiscordPlatformAdapter {
  const { config, redis, keys, budget } = dependencies;
  const logger = dependencies.logger.child({ platform: 'discord' });
  const client = createDiscordClient(config);
  const rest = client.rest;
  const rateLimits = new RateLimitCounter(rest, logger, dependencies.metrics);
  const pacing = new DiscordPacing(budget, config);
  const registry = new WebhookRegistry(rest, redis, keys, config.DISCORD_APPLICATION_ID);
  const poster = new DiscordPoster({ rest, registry, names: new PersonaNames(redis, keys), pacing, redis, keys, logger });
  const typingSentAt = new Map<string, number>();
  let inboundStarted = false;

  const showPoll = async (poll: PollView, existingMessageId: string | undefined): Promise<string> => {
    const address = parseSessionId(poll.sessionId);
    const content = renderPollText(poll);
    const components = renderPollComponents(poll);
    if (existingMessageId) {
      await pacing.write({ kind: 'bot', parentId: address.channel, channelId: address.thread });
      try {
        await rest.patch(Routes.channelMessage(address.thread, existingMessageId), { body: { content, components, allowed_mentions: mentionNobody } });
        return existingMessageId;
      } catch (error) {
        if (!isDiscordError(error, DiscordErrorCode.UnknownMessage)) throw error;
        logger.info({ sessionId: poll.sessionId }, 'discord: the poll message is gone; posting it again');
      }
    }
    return (await poster.sendAsBot(address, content, [], components)).id;
  };

  const adapter: ChatAdapter = {
    platform: 'discord',
    post: (request: PostRequest) => poster.post(request),
    startStream: (request, options) => Promise.resolve(new StreamWriter(request.sessionId, request.speaker, poster, pacing, logger, registry, options)),
    async typing(sessionId) {
      const { thread } = parseSessionId(sessionId);
      const now = Date.now();
      if (now - (typingSentAt.get(thread) ?? 0) < typingRefreshMs) return;
      typingSentAt.set(thread, now);
      if (typingSentAt.size > 5_000) typingSentAt.clear();
      await rest.post(Routes.channelTyping(thread)).catch((error: unknown) => logger.debug({ err: error, sessionId }, 'discord: typing indicator failed'));
    },
    showPoll,
    async archive(sessionId) {
      const { thread } = parseSessionId(sessionId);
      try {
        await rest.patch(Routes.channel(thread), { body: { archived: true, locked: true }, reason: 'TableRound session ended' });
      } catch (error) {
        if (!isDiscordError(error, DiscordErrorCode.MissingPermissions)) throw error;
        // Locking needs Manage Threads; the thread's creator may still archive it.
        logger.info({ sessionId }, 'discord: no Manage Threads; archiving without locking');
        await rest.patch(Routes.channel(thread), { body: { archived: true } });
      }
    },
    fetchImage: (reference, maxBytes) => fetchImage(reference, maxBytes),
  };

  const context: InboundContext = {
    client,
    rest,
    config,
    logger,
    redis,
    keys,
    roundtable: dependencies.roundtable,
    commands: dependencies.commands,
    runCommand: dependencies.runCommand,
  };
  const intake = new MessageIntake(context, registry.knownIds);
  const slashCommands = new SlashCommands(context);
  const buttons = new PollButtons(context, new BallotToggles(redis, keys));

  return {
    adapter,
    client,
    rateLimitHits: () => rateLimits.hits,
    async startInbound() {
      if (!config.DISCORD_TOKEN) throw new TableRoundError('config_invalid', 'DISCORD_TOKEN is required to connect to the Discord gateway');
      client.on(Events.MessageCreate, (message) => {
        intake.handle(message).catch((error: unknown) => logger.error({ err: error }, 'discord: message handling failed'));
      });
      client.on(Events.InteractionCreate, (interaction) => {
        const handled = interaction.isChatInputCommand() ? slashCommands.handle(interaction) : interaction.isButton() ? buttons.handle(interaction) : undefined;
        handled?.catch((error: unknown) => logger.error({ err: error }, 'discord: interaction handling failed'));
      });
      client.on(Events.Error, (error) => logger.error({ err: error }, 'discord: client error'));
      client.on(Events.ShardDisconnect, (event) => logger.warn({ code: event.code }, 'discord: gateway disconnected'));
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      await client.login(config.DISCORD_TOKEN);
      await ready;
      inboundStarted = true;
      logger.info({ user: client.user?.tag, guilds: client.guilds.cache.size }, 'discord: gateway ready');
    },
    async stop() {
      await client.destroy();
    },
    isConnected: () => !inboundStarted || client.isReady(),
  };
}
