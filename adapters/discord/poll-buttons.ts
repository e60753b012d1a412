/**
 * Vote buttons. A candidate click toggles that candidate in the person's ballot (the core's
 * `toggleBallot`: atomic, capped at the poll's maxChoices, only on the poll the button belongs
 * to); the poll message is refreshed through the click's own interaction — free — and the person
 * gets an ephemeral "Your ballot: …". A click on a poll whose step has posted it but not committed
 * it yet is acknowledged at once and held by the core until the commit (src/engine/poll-opening.ts). Close is for the starter or a manager (Manage Threads), and
 * closes the button's own poll only. Failures are answered through `describeForPerson`.
 */
import type { ButtonInteraction } from 'discord.js';
import { buildSessionId } from '../../src/session/session-id.ts';
import { asTableRoundError } from '../../src/errors.ts';
import { describeForPerson } from '../../src/engine/describe-error.ts';
import { t } from '../../src/i18n/translate.ts';
import { mentionNobody } from './format-content.ts';
import { decodePollClick, pollKey, renderPollComponents, renderPollText } from './poll-message.ts';
import { answerEphemeral, deferWhenSlow } from './interaction-replies.ts';
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
    let language: string | undefined;
    // A busy Redis may keep the work below past Discord's 3 s: the click is then acknowledged
    // first, and the poll edited through the interaction after.
    const slow = deferWhenSlow(() => interaction.deferUpdate());
    const answer = async (text: string) => {
      await slow.settle();
      await answerEphemeral(interaction, text);
    };
    const acknowledge = async () => {
      await slow.settle();
      if (!interaction.deferred && !interaction.replied) await interaction.deferUpdate();
    };
    try {
      const status = await roundtable.status(sessionId);
      language = status?.language;
      const poll = status?.poll;
      const current = poll !== undefined && pollKey(poll.pollId) === click.pollKey;
      // The poll being opened: its message is up, its step has not committed it yet. The click is
      // acknowledged now and held by the core until the commit (src/engine/poll-opening.ts).
      const opening = !current && status !== undefined && pollKey(status.openingPollId) === click.pollKey;
      if (!status || (!current && !opening)) return await answer('This vote is no longer current.');
      if (current && poll.status !== 'open') return await answer('This vote is closed.');
      const pollId = current ? poll.pollId : status.openingPollId;
      if (click.kind === 'close') {
        if (!(await roundtable.mayManage(sessionId, person))) {
          return await answer('Only the person who started this roundtable, or someone with Manage Threads, can close the vote.');
        }
        await acknowledge();
        // The close names this poll: queued behind another close and a new vote, it never closes the newer poll.
        await roundtable.submit(sessionId, person, { type: 'command', name: 'vote', options: { action: 'close', pollId } }, `discord:${interaction.id}`);
        return await answer('Closing the vote — the result follows shortly.');
      }
      if (opening) await acknowledge();
      // The toggle is the core's (one ballot per person, applied atomically to this very poll).
      const result = await roundtable.toggleBallot(sessionId, person, pollId, click.index);
      await slow.settle();
      if (result.outcome === 'full') return await answer(result.notice ?? 'Your ballot already holds as many keywords as it may.');
      // The click's own interaction updates the poll message (free); the core skips a refresh to the same state.
      if (result.poll) {
        const message = { content: renderPollText(result.poll), components: renderPollComponents(result.poll), allowedMentions: mentionNobody };
        // Acknowledged already (the poll being opened, or slow work): the edit goes to the message the button is on.
        if (interaction.deferred) await interaction.editReply(message);
        else await interaction.update(message);
        roundtable.pollShown(sessionId, result.poll);
      } else {
        await acknowledge();
      }
      await answer(result.notice ?? 'Your ballot is counted.');
    } catch (error) {
      this.context.logger.warn({ err: error, sessionId }, 'discord: vote button failed');
      const coded = asTableRoundError(error);
      const text = coded.code === 'internal' ? t(language, 'answer.voteFailed') : describeForPerson(coded, language);
      await answer(text).catch(() => undefined);
    }
  }
}
