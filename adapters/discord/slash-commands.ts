/**
 * Slash commands → `runCommand`. `/roundtable` in a text channel posts a starter message, opens
 * the session thread on it and runs `start` there; the other commands act on the session of the
 * thread they are typed in, and outside a session thread get a clear ephemeral answer.
 */
import { ChannelType, MessageFlags, Routes, type ChatInputCommandInteraction, type APIMessage } from 'discord.js';
import { buildSessionId } from '../../src/session/session-id.ts';
import { mentionNobody, prepareContent } from './format-content.ts';
import { coreCommandName, discordCommandName } from './command-registration.ts';
import { botMissingPermissions, describeMissingPermissions } from './discord-permissions.ts';
import { answerEphemeral, deliver, respondWithin } from './interaction-replies.ts';
import { isAllowed, openSessionThread, personOf, type InboundContext } from './inbound-context.ts';

export class SlashCommands {
  constructor(private readonly context: InboundContext) {}

  async handle(interaction: ChatInputCommandInteraction): Promise<void> {
    const definition = this.context.commands.find((command) => command.name === coreCommandName(interaction.commandName));
    if (!definition) return answerEphemeral(interaction, `I don't know /${interaction.commandName} (the command list may be out of date).`);
    const channel = interaction.channel;
    if (!interaction.inGuild() || !channel || channel.isDMBased()) return answerEphemeral(interaction, 'Roundtables run in server channels, not in DMs.');
    if (!isAllowed(this.context.config, interaction.guildId, channel)) return answerEphemeral(interaction, "I'm not enabled in this channel.");
    const options: Record<string, unknown> = {};
    for (const option of interaction.options.data) if (option.value !== undefined) options[option.name] = option.value;
    const person = personOf(interaction.user, null, null, interaction.memberPermissions?.bitfield ?? 0n);
    person.displayName = interaction.member && 'displayName' in interaction.member ? interaction.member.displayName : (interaction.user.globalName ?? interaction.user.username);

    if (definition.name === 'start') return this.start(interaction, options, person);

    if (!channel.isThread() || !channel.parentId) {
      if (definition.requiresSession) {
        return answerEphemeral(interaction, `/${interaction.commandName} works inside a roundtable's thread. Open the thread of your roundtable, or start one with /${discordCommandName('start')} or by mentioning me with a topic.`);
      }
      await respondWithin(interaction, () =>
        this.context.runCommand({ name: definition.name, options, person, address: { platform: 'discord', channel: channel.id, thread: channel.id }, sessionId: undefined }),
      );
      return;
    }
    const address = { platform: 'discord' as const, channel: channel.parentId, thread: channel.id };
    const sessionId = buildSessionId(address);
    await respondWithin(interaction, async () => {
      if (definition.requiresSession && !(await this.context.roundtable.status(sessionId))) {
        return { text: `This thread isn't a roundtable. Start one with /${discordCommandName('start')} in a channel, or by mentioning me with a topic.`, visibility: 'ephemeral' };
      }
      return this.context.runCommand({ name: definition.name, options, person, address, sessionId });
    });
  }

  private async start(interaction: ChatInputCommandInteraction, options: Record<string, unknown>, person: ReturnType<typeof personOf>): Promise<void> {
    const { client, rest, runCommand, logger } = this.context;
    const channel = interaction.channel;
    if (!channel || channel.isDMBased()) return;
    if (channel.isThread()) return answerEphemeral(interaction, `Start a roundtable from a text channel: /${discordCommandName('start')} opens its own thread.`);
    if (channel.type !== ChannelType.GuildText && channel.type !== ChannelType.GuildAnnouncement) return answerEphemeral(interaction, 'Roundtables start in text channels.');
    const definition = this.context.commands.find((command) => command.name === 'start');
    const parsed = definition?.schema.safeParse(options);
    if (parsed && !parsed.success) {
      return answerEphemeral(interaction, parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`).join('; '));
    }
    const missing = botMissingPermissions(client, channel);
    if (missing.length > 0) return answerEphemeral(interaction, describeMissingPermissions(missing, channel.id));
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const topic = typeof options.topic === 'string' ? options.topic : '';
    try {
      const starter = (await rest.post(Routes.channelMessages(channel.id), {
        body: { content: prepareContent(`🧭 **Roundtable:** ${topic}`.slice(0, 1900)) + `\n-# started by <@${person.id}>`, allowed_mentions: mentionNobody },
      })) as APIMessage;
      const threadId = await openSessionThread(rest, channel.id, starter.id, topic);
      const reply = await runCommand({ name: 'start', options, person, address: { platform: 'discord', channel: channel.id, thread: threadId }, sessionId: undefined });
      await deliver(interaction, { ...reply, text: `${reply.text} → <#${threadId}>`, visibility: 'ephemeral' });
    } catch (error) {
      logger.warn({ err: error, channel: channel.id }, 'discord: /roundtable could not open its thread');
      await interaction.editReply({ content: describeMissingPermissions(['SendMessages', 'CreatePublicThreads'], channel.id), allowedMentions: mentionNobody });
    }
  }
}
