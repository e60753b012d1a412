/**
 * The "Ask ⟨name⟩" button under persona posts, and its dialog. A click opens a modal as the click's
 * own interaction response (callback type 9: no channel write, inside Discord's 3 s); submitting it
 * (a MODAL_SUBMIT interaction) queues the question as the person's message `addressedTo` that
 * persona, and shows it in the thread as the submission's own response ("❓ **Ada** asks
 * **Bayar**: …", mentioning nobody) — otherwise the modal's text would be seen by nobody. Outside a
 * roundtable thread, in an ended session, or for a persona no longer on the panel, the person gets
 * a short ephemeral answer instead.
 */
import { GuildMember, type ButtonInteraction, type ModalSubmitInteraction } from 'discord.js';
import { buildSessionId } from '../../src/session/session-id.ts';
import { TableRoundError } from '../../src/errors.ts';
import { describeForPerson } from '../../src/engine/describe-error.ts';
import { t } from '../../src/i18n/translate.ts';
import type { Person } from '../../src/adapter/inbound-event.ts';
import { askModal, decodeAskButton, decodeAskModal, questionInputId, questionLine } from './ask-message.ts';
import { answerEphemeral, respondWithin } from './interaction-replies.ts';
import { firstName, personOf, type InboundContext } from './inbound-context.ts';

type AskInteraction = ButtonInteraction | ModalSubmitInteraction;

/** Who is asked, in which session — or why nobody can be. */
type AskTarget = { sessionId: string; language: string | undefined; name: string } | { refusal: string };

export class AskButtons {
  constructor(private readonly context: InboundContext) {}

  /** A click on an Ask button (other buttons are not its business). */
  async handleClick(interaction: ButtonInteraction): Promise<void> {
    const personaId = decodeAskButton(interaction.customId);
    if (!personaId) return;
    const target = await this.targetOf(interaction, personaId);
    if ('refusal' in target) return answerEphemeral(interaction, target.refusal);
    await interaction.showModal(askModal(personaId, target.name, target.language, this.context.config.MAX_MESSAGE_CHARS));
  }

  /** The dialog's submission. */
  async handleSubmit(interaction: ModalSubmitInteraction): Promise<void> {
    const personaId = decodeAskModal(interaction.customId);
    if (!personaId) return;
    // Read before the first await (cached users are patched by later gateway events).
    const person = personFrom(interaction);
    const question = questionOf(interaction);
    const target = await this.targetOf(interaction, personaId);
    if ('refusal' in target) return answerEphemeral(interaction, target.refusal);
    const { sessionId, language, name } = target;
    if (!question) return answerEphemeral(interaction, t(language, 'ask.emptyQuestion'));
    await respondWithin(interaction, async () => {
      try {
        await this.context.roundtable.submit(sessionId, person, { type: 'message', text: question, images: [], addressedTo: personaId }, `discord:${interaction.id}`);
      } catch (error) {
        this.context.logger.warn({ err: error, sessionId }, 'discord: a question from the Ask dialog was refused');
        return { text: error instanceof TableRoundError && error.code !== 'internal' ? describeForPerson(error, language) : t(language, 'ask.failed'), visibility: 'ephemeral' };
      }
      return { text: questionLine(language, person.displayName, name, question), visibility: 'thread' };
    });
  }

  private async targetOf(interaction: AskInteraction, personaId: string): Promise<AskTarget> {
    // The thread may not be in discord.js's cache (a stale gateway cache): fetch it then.
    const channel = interaction.channel ?? (interaction.channelId ? await this.context.client.channels.fetch(interaction.channelId).catch(() => null) : null);
    if (!channel?.isThread() || !channel.parentId) return { refusal: t(undefined, 'ask.noSession') };
    const sessionId = buildSessionId({ platform: 'discord', channel: channel.parentId, thread: channel.id });
    const status = await this.context.roundtable.status(sessionId);
    if (!status) return { refusal: t(undefined, 'ask.noSession') };
    const { language } = status;
    if (status.ended) return { refusal: t(language, 'ask.sessionEnded') };
    const persona = status.personas.find((candidate) => candidate.id === personaId);
    if (!persona) return { refusal: t(language, 'ask.personaGone', { name: postAuthorOf(interaction) ?? personaId }) };
    return { sessionId, language, name: persona.displayName };
  }
}

function personFrom(interaction: AskInteraction): Person {
  const person = personOf(interaction.user, null, null, interaction.memberPermissions?.bitfield ?? 0n);
  const member = interaction.member;
  person.displayName = firstName(member instanceof GuildMember ? member.displayName : member?.nick, interaction.user.globalName, interaction.user.username) ?? person.displayName;
  return person;
}

function questionOf(interaction: ModalSubmitInteraction): string {
  try {
    return interaction.fields.getTextInputValue(questionInputId).trim();
  } catch {
    return '';
  }
}

/** The name on the post the button sits under (the persona's webhook name), for a refusal. */
function postAuthorOf(interaction: AskInteraction): string | undefined {
  const post = interaction.message;
  return post?.webhookId ? post.author.username : undefined;
}
