/**
 * Slash commands → `runCommand`. `/roundtable` in a text channel posts a starter message, opens
 * the session thread on it and runs `start` there; the other commands act on the session of the
 * thread they are typed in, and outside a session thread get a clear ephemeral answer.
 *
 * Hazard: `interaction.channel` is read from discord.js's cache only. A guild channel the gateway
 * never announced (no CHANNEL_CREATE), sent by the server as a partial without `guild_id`, is
 * missing there, so "no cached channel" does not mean "a DM": the raw `guildId` / `channelId`
 * of the interaction decide, and an uncached channel is fetched over REST once.
 */
import { ChannelType, GuildMember, MessageFlags, Routes, type ChatInputCommandInteraction, type APIMessage, type GuildBasedChannel } from 'discord.js';
import { buildSessionId } from '../../src/session/session-id.ts';
import { mentionNobody, prepareContent } from './format-content.ts';
import { coreCommandName, discordCommandName } from './command-registration.ts';
import { botMissingPermissions, describeMissingPermissions } from './discord-permissions.ts';
import { answerEphemeral, deliver, respondWithin } from './interaction-replies.ts';
import { firstName, interactionRoles, isAllowed, openSessionThread, personOf, type InboundContext } from './inbound-context.ts';

export class SlashCommands {
  constructor(private readonly context: InboundContext) {}

  async handle(interaction: ChatInputCommandInteraction): Promise<void> {
    const definition = this.context.commands.find((command) => command.name === coreCommandName(interaction.commandName, this.context.commands));
    if (!definition) return answerEphemeral(interaction, `I don't know /${interaction.commandName} (the command list may be out of date).`);
    if (!interaction.inGuild() || !interaction.channelId) return answerEphemeral(interaction, 'Roundtables run in server channels, not in DMs.');
    // Read from the interaction before the first await (cached users are patched by later events).
    const options: Record<string, unknown> = {};
    for (const option of interaction.options.data) {
      // An attachment option (a character card): the file's reference, for the adapter to download.
      if (option.attachment) options[option.name] = JSON.stringify({ kind: 'url', location: option.attachment.url, filename: option.attachment.name, size: option.attachment.size, ...(option.attachment.contentType ? { contentType: option.attachment.contentType } : {}) });
      else if (option.value !== undefined) options[option.name] = option.value;
    }
    const person = personOf(interaction.user, null, null, interaction.memberPermissions?.bitfield ?? 0n, { roles: interactionRoles(interaction.member) ?? [], managerRole: this.context.config.COMMUNITY_MANAGER_ROLE });
    const member = interaction.member;
    person.displayName = firstName(member instanceof GuildMember ? member.nickname : member.nick, interaction.user.globalName, interaction.user.username) ?? person.displayName;
    const channel = await this.channelOf(interaction.channelId);
    if (!channel) return answerEphemeral(interaction, "I can't see this channel. Check that my role may view it, then try again.");
    if (!isAllowed(this.context.config, interaction.guildId, channel)) return answerEphemeral(interaction, "I'm not enabled in this channel.");

    if (definition.name === 'start') return this.start(interaction, channel, options, person);

    if (!channel.isThread() || !channel.parentId) {
      if (definition.requiresSession) {
        return answerEphemeral(interaction, `/${interaction.commandName} works inside a roundtable's thread. Open the thread of your roundtable, or start one with /${discordCommandName('start', this.context.commands)} or by mentioning me with a topic.`);
      }
      await respondWithin(interaction, () =>
        this.context.runCommand({ name: definition.name, options, person, address: { platform: 'discord', channel: channel.id, thread: channel.id, community: interaction.guildId }, sessionId: undefined }),
      );
      return;
    }
    const address = { platform: 'discord' as const, channel: channel.parentId, thread: channel.id, community: interaction.guildId };
    const sessionId = buildSessionId(address);
    await respondWithin(interaction, async () => {
      if (definition.requiresSession && !(await this.context.roundtable.status(sessionId))) {
        return { text: `This thread isn't a roundtable. Start one with /${discordCommandName('start', this.context.commands)} in a channel, or by mentioning me with a topic.`, visibility: 'ephemeral' };
      }
      return this.context.runCommand({ name: definition.name, options, person, address, sessionId });
    });
  }

  /** The guild channel by id: from the cache, else fetched over REST (and cached); undefined when not visible. */
  private async channelOf(channelId: string): Promise<GuildBasedChannel | undefined> {
    const { client, logger } = this.context;
    const cached = client.channels.cache.get(channelId);
    if (cached && !cached.isDMBased()) return cached;
    const fetched = await client.channels.fetch(channelId).catch((error: unknown) => {
      logger.warn({ err: error, channelId }, 'discord: could not fetch the channel of a slash command');
      return null;
    });
    return fetched && !fetched.isDMBased() ? fetched : undefined;
  }

  private async start(interaction: ChatInputCommandInteraction, channel: GuildBasedChannel, options: Record<string, unknown>, person: ReturnType<typeof personOf>): Promise<void> {
    const { client, rest, runCommand, logger } = this.context;
    if (channel.isThread()) return answerEphemeral(interaction, `Start a roundtable from a text channel: /${discordCommandName('start', this.context.commands)} opens its own thread.`);
    if (channel.type !== ChannelType.GuildText && channel.type !== ChannelType.GuildAnnouncement) return answerEphemeral(interaction, 'Roundtables start in text channels.');
    const definition = this.context.commands.find((command) => command.name === 'start');
    const parsed = definition?.schema.safeParse(options);
    if (parsed && !parsed.success) {
      return answerEphemeral(interaction, parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`).join('; '));
    }
    const missing = botMissingPermissions(client, channel);
    if (missing.length > 0) return answerEphemeral(interaction, describeMissingPermissions(missing, channel.id));
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    // The channel's settings first: no thread is opened for a start they refuse.
    const refusal = await this.context.roundtable.startRefusal?.({ platform: 'discord', channel: channel.id, thread: channel.id, community: interaction.guildId ?? undefined }, person).catch(() => undefined);
    if (refusal) {
      await interaction.editReply({ content: refusal, allowedMentions: mentionNobody });
      return;
    }
    const topic = typeof options.topic === 'string' ? options.topic : '';
    try {
      const starter = (await rest.post(Routes.channelMessages(channel.id), {
        body: { content: prepareContent(`🧭 **Roundtable:** ${topic}`.slice(0, 1900)) + `\n-# started by <@${person.id}>`, allowed_mentions: mentionNobody },
      })) as APIMessage;
      const threadId = await openSessionThread(rest, channel.id, starter.id, topic);
      const reply = await runCommand({ name: 'start', options, person, address: { platform: 'discord', channel: channel.id, thread: threadId, community: interaction.guildId ?? undefined }, sessionId: undefined });
      await deliver(interaction, { ...reply, text: `${reply.text} → <#${threadId}>`, visibility: 'ephemeral' });
    } catch (error) {
      logger.warn({ err: error, channel: channel.id }, 'discord: /roundtable could not open its thread');
      await interaction.editReply({ content: describeMissingPermissions(['SendMessages', 'CreatePublicThreads'], channel.id), allowedMentions: mentionNobody });
    }
  }
}
