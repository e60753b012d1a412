/**
 * Vote buttons. A candidate click toggles that candidate in the person's ballot (the core's
 * `toggleBallot`: atomic, capped at the poll's maxChoices, only on the poll the button belongs
 * to); the poll message is refreshed through the click's own interaction — free — and the person
 * gets an ephemeral "Your ballot: …". Close is for the starter or a manager (Manage Threads).
 */
import type { ButtonInteraction } from 'discord.js';
import { buildSessionId } from '../../src/session/session-id.ts';
import { TableRoundError } from '../../src/errors.ts';
import { mentionNobody } from './format-content.ts';
import { decodePollClick, pollKey, renderPollComponents, renderPollText } from './poll-message.ts';
import { answerEphemeral } from './interaction-replies.ts';
import { personOf, type InboundContext } from './inbound-context.ts';

export class PollButtons {
  constructor(private readonly context: InboundContext) {}

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
      // The toggle is the core's (one ballot per person, applied atomically to this very poll).
      const result = await roundtable.toggleBallot(sessionId, person, poll.pollId, click.index);
      if (result.outcome === 'full') return await answerEphemeral(interaction, result.notice ?? `You can pick at most ${poll.maxChoices}.`);
      // The click's own interaction updates the poll message (free); the core skips a refresh to the same state.
      if (result.poll) {
        await interaction.update({ content: renderPollText(result.poll), components: renderPollComponents(result.poll), allowedMentions: mentionNobody });
        roundtable.pollShown(sessionId, result.poll);
      } else {
        await interaction.deferUpdate();
      }
      await answerEphemeral(interaction, result.notice ?? 'Your ballot is counted.');
    } catch (error) {
      this.context.logger.warn({ err: error, sessionId }, 'discord: vote button failed');
      const text = error instanceof TableRoundError ? error.publicMessage : 'Something went wrong with that vote; please try again.';
      await answerEphemeral(interaction, text).catch(() => undefined);
    }
  }
}
