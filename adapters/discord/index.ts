/**
 * The Discord platform adapter: `createDiscordAdapter(dependencies)` wires the outbound
 * `ChatAdapter` (webhook personas with their Ask buttons, streaming, typing, polls, archive, image
 * download) and the inbound gateway (mentions, thread messages and replies to personas, slash
 * commands, vote buttons, Ask buttons and their dialogs) on this process's gateway shards
 * (gateway-shards.ts; workers open no gateway and post through REST only).
 * Only this folder imports discord.js.
 */
import { ChoiceButtons, decodeChoice } from './choice-buttons.ts';
import { Events, type Client } from 'discord.js';
import type { AdapterDependencies, PlatformAdapter } from '../../src/adapter/platform-adapter.ts';
import { TableRoundError } from '../../src/errors.ts';
import { createDiscordClient, RateLimitCounter } from './discord-client.ts';
import { DiscordPacing } from './discord-pacing.ts';
import { WebhookRegistry } from './webhook-registry.ts';
import { PersonaNames } from './persona-names.ts';
import { DiscordPoster } from './discord-poster.ts';
import { AvatarHost } from './avatar-host.ts';
import { DiscordChatAdapter } from './discord-chat-adapter.ts';
import { MessageIntake } from './message-intake.ts';
import { SlashCommands } from './slash-commands.ts';
import { PollButtons } from './poll-buttons.ts';
import { AskButtons } from './ask-buttons.ts';
import { PersonaPosts } from './persona-posts.ts';
import { SessionLanguages } from '../shared/session-languages.ts';
import { decodeAskButton } from './ask-message.ts';
import { botUserIdLoader } from './bot-user.ts';
import { guardGatewayPackets } from './gateway-guard.ts';
import { allShardsReady, describeShards, logShardEvents, resolveGatewayShardOptions } from './gateway-shards.ts';
import type { InboundContext } from './inbound-context.ts';

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
  const botUserId = botUserIdLoader(client, rest);
  const registry = new WebhookRegistry(rest, redis, keys, config.DISCORD_APPLICATION_ID, botUserId);
  const names = new PersonaNames(redis, keys);
  const avatars = new AvatarHost({ rest, redis, keys, logger, cdnUrl: config.DISCORD_CDN_URL, applicationId: config.DISCORD_APPLICATION_ID, botUserId });
  const languages = new SessionLanguages(dependencies.roundtable);
  const poster = new DiscordPoster({ rest, registry, names, pacing, redis, keys, logger, avatars, languageOf: (sessionId) => languages.of(sessionId) });
  const adapter = new DiscordChatAdapter({ rest, config, poster, pacing, registry, names, logger, botUserId, languageOf: (sessionId) => languages.of(sessionId) });
  let inboundStarted = false;
  let intakeStopped = false;

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
    languageOf: (sessionId) => languages.of(sessionId),
  };
  const personaPosts = new PersonaPosts({ rest, names, logger, botUserId, applicationId: () => client.application?.id ?? config.DISCORD_APPLICATION_ID });
  const intake = new MessageIntake(context, registry.knownIds, personaPosts);
  const slashCommands = new SlashCommands(context);
  const buttons = new PollButtons(context);
  const asks = new AskButtons(context);
  const choices = new ChoiceButtons(context);

  return {
    adapter,
    client,
    rateLimitHits: () => rateLimits.hits,
    async startInbound() {
      if (!config.DISCORD_TOKEN) throw new TableRoundError('config_invalid', 'DISCORD_TOKEN is required to connect to the Discord gateway');
      guardGatewayPackets(client, logger);
      client.on(Events.MessageCreate, (message) => {
        if (intakeStopped) return;
        intake.handle(message).catch((error: unknown) => logger.error({ err: error }, 'discord: message handling failed'));
      });
      client.on(Events.InteractionCreate, (interaction) => {
        if (intakeStopped) return;
        const handled = interaction.isChatInputCommand()
          ? slashCommands.handle(interaction)
          : interaction.isButton()
            ? decodeAskButton(interaction.customId)
              ? asks.handleClick(interaction)
              : decodeChoice(interaction.customId)
                ? choices.handle(interaction)
                : buttons.handle(interaction)
            : interaction.isModalSubmit()
              ? decodeChoice(interaction.customId)
                ? choices.handleSubmit(interaction)
                : asks.handleSubmit(interaction)
              : undefined;
        handled?.catch((error: unknown) => logger.error({ err: error }, 'discord: interaction handling failed'));
      });
      client.on(Events.Error, (error) => logger.error({ err: error }, 'discord: client error'));
      logShardEvents(client, logger);
      // discord.js reads its shard options when it connects: set here, only gateway processes have shards.
      Object.assign(client.options, await resolveGatewayShardOptions(config, rest));
      logger.info(describeShards(client), 'discord: connecting to the gateway');
      // ClientReady comes once every shard of this process is ready.
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      await client.login(config.DISCORD_TOKEN);
      await ready;
      inboundStarted = true;
      logger.info({ user: client.user?.tag, guilds: client.guilds.cache.size, ...describeShards(client) }, 'discord: gateway ready');
    },
    /** Closes the gateway connection only: REST (and its token) stays for the steps still running. */
    async stopIntake() {
      intakeStopped = true;
      if (!inboundStarted) return;
      await (client.ws as unknown as { destroy(): Promise<void> }).destroy().catch((error: unknown) => logger.warn({ err: error }, 'discord: closing the gateway failed'));
    },
    async dispose() {
      intakeStopped = true;
      await client.destroy().catch((error: unknown) => logger.warn({ err: error }, 'discord: destroying the client failed'));
    },
    /** Every shard of this process connected (a process without inbound has nothing to lose). */
    isConnected: () => !inboundStarted || (!intakeStopped && allShardsReady(client)),
  };
}
