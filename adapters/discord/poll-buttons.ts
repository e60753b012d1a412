/**
 * Vote buttons. A candidate click toggles that candidate in the person's ballot (kept in Redis,
 * capped at the poll's maxChoices) and submits the full choice list; the poll message is
 * refreshed in place through the interaction and the person gets an ephemeral "Your ballot: …".
 * Close is for the starter or a manager (Manage Threads).
 */
import type { ButtonInteraction } from 'discord.js';
import { buildSessionId } from '../../src/session/session-id.ts';
import { TableRoundError } from '../../src/errors.ts';
import { mentionNobody } from './format-content.ts';
import { decodePollClick, pollKey, renderPollComponents, renderPollText } from './poll-message.ts';
import { answerEphemeral } from './interaction-replies.ts';
import { personOf, type InboundContext } from './inbound-context.ts';
import type { BallotToggles } from './ballot-toggles.ts';

export class PollButtons {
  constructor(
    private readonly context: InboundContext,
    private readonly toggles: BallotToggles,
  ) {}

  async handle(interaction: ButtonInteraction): Promise<void> {
    const click = decodePollClick(interaction.customId);
    if (!click) return;
    // The thread may not be in discord.js's cache (a stale gateway cache): fetch it then.
    const channel = interaction.channel ?? (await this.context.client.channels.fetch(interaction.channelId).catch(() => null));
    if (!channel?.isThread() || !channel.parentId) return answerEphemeral(interaction, 'This vote button only works inside its roundtable thread.');
    const sessionId = buildSessionId({ platform: 'discord', channel: channel.parentId, thread: channel.id });
    const person = personOf(interaction.user, null, null, interaction.memberPermissions?.bitfield ?? 0n);
    person.displayName = (interaction.member && 'displayName' in interaction.member ? interaction.member.displayName : undefined) || interaction.user.globalName || interaction.user.username || person.displayName;
    const { roundtable } = this.context;
    try {
      const poll = (await roundtable.status(sessionId))?.poll;
      if (!poll || pollKey(poll.pollId) !== click.pollKey) return await answerEphemeral(interaction, 'This vote is no longer current.');
      if (poll.status !== 'open') return await answerEphemeral(interaction, 'This vote is closed.');
      if (click.kind === 'close') {
        if (!(await roundtable.mayManage(sessionId, person))) {
          return await answerEphemeral(interaction, 'Only the person who started this roundtable, or someone with Manage Threads, can close the vote.');
        }
        await interaction.deferUpdate();
        await roundtable.submit(sessionId, person, { type: 'command', name: 'vote', options: { action: 'close' } }, `discord:${interaction.id}`);
        return await answerEphemeral(interaction, 'Closing the vote — the result follows shortly.');
      }
      const toggled = await this.toggles.toggle(sessionId, poll.pollId, person.id, click.index, poll.maxChoices);
      if (toggled.kind === 'full') {
        return await answerEphemeral(interaction, `You can pick at most ${poll.maxChoices}. Click one of your picks again to unpick it first.`);
      }
      await interaction.deferUpdate();
      const result = await roundtable.submit(sessionId, person, { type: 'ballot', choices: toggled.choices, pollId: poll.pollId }, `discord:${interaction.id}`);
      const fresh = (await roundtable.status(sessionId))?.poll;
      if (fresh && fresh.pollId === poll.pollId) {
        await interaction.editReply({ content: renderPollText(fresh), components: renderPollComponents(fresh), allowedMentions: mentionNobody });
      }
      const picks = toggled.choices.length > 0 ? `Your ballot: ${toggled.choices.join(', ')}` : 'Your ballot is empty.';
      await answerEphemeral(interaction, result.notice ?? picks);
    } catch (error) {
      this.context.logger.warn({ err: error, sessionId }, 'discord: vote button failed');
      const text = error instanceof TableRoundError ? error.publicMessage : 'Something went wrong with that vote; please try again.';
      await answerEphemeral(interaction, text).catch(() => undefined);
    }
  }
}
