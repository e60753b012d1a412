/**
 * A reply's choices (`CommandReply.choices`: a draft's Save / Regenerate / Cancel, a panel's
 * "Edit ⟨persona⟩") as buttons. A press runs the choice's command as whoever pressed it — the
 * command checks who may — and is answered privately; an answer carrying a form (`reply.form`)
 * opens it as a modal, whose submission runs the form's command with the fields as JSON.
 * custom_id (≤ 100 characters): `tr:c:<command>?<options as a query string>` for a button,
 * `tr:f:…` the same for a form.
 */
import {
  ButtonStyle,
  ComponentType,
  MessageFlags,
  TextInputStyle,
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIModalInteractionResponseCallbackData,
  type ButtonInteraction,
  type ModalSubmitInteraction,
} from 'discord.js';
import type { ReplyChoice, ReplyForm } from '../../src/command-core/command-contract.ts';
import type { Person } from '../../src/adapter/inbound-event.ts';
import { interactionRoles, personOf, firstName, type InboundContext } from './inbound-context.ts';
import { deferWhenSlow, deliver, respondWithin } from './interaction-replies.ts';

const prefix = 'tr:c:';
const formPrefix = 'tr:f:';
/** Discord's modal limits: title and labels 45 characters, a text input 4,000, five inputs. */
const modalTitleLimit = 45;
const textInputLimit = 4_000;
const styles = { primary: ButtonStyle.Primary, secondary: ButtonStyle.Secondary, danger: ButtonStyle.Danger } as const;

export function encodeChoice(choice: ReplyChoice): string | undefined {
  const id = `${prefix}${choice.command}?${new URLSearchParams(choice.options).toString()}`;
  return id.length <= 100 ? id : undefined;
}

export function decodeChoice(customId: string): { command: string; options: Record<string, string> } | undefined {
  const match = /^tr:[cf]:([a-z][a-z0-9-]{0,31})\?(.*)$/.exec(customId);
  if (!match) return undefined;
  return { command: match[1]!, options: Object.fromEntries(new URLSearchParams(match[2]!)) };
}

/** Rows of five buttons (at most five rows); a choice whose options do not fit a custom_id is left out. */
export function renderChoices(choices: readonly ReplyChoice[]): APIActionRowComponent<APIButtonComponent>[] {
  const buttons = choices
    .map((choice): APIButtonComponent | undefined => {
      const customId = encodeChoice(choice);
      return customId ? { type: ComponentType.Button, style: styles[choice.style ?? 'secondary'], custom_id: customId, label: choice.label.slice(0, 80) } : undefined;
    })
    .filter((button): button is APIButtonComponent => button !== undefined)
    .slice(0, 25);
  const rows: APIActionRowComponent<APIButtonComponent>[] = [];
  for (let index = 0; index < buttons.length; index += 5) rows.push({ type: ComponentType.ActionRow, components: buttons.slice(index, index + 5) });
  return rows;
}

/** A form as a modal: one labelled text input per field, filled with its value; undefined when its id does not fit. */
export function formModal(form: ReplyForm): APIModalInteractionResponseCallbackData | undefined {
  const customId = `${formPrefix}${form.command}?${new URLSearchParams(form.options).toString()}`;
  if (customId.length > 100) return undefined;
  return {
    custom_id: customId,
    title: form.title.slice(0, modalTitleLimit),
    components: form.fields.slice(0, 5).map((field) => ({
      type: ComponentType.Label,
      label: field.label.slice(0, 45),
      component: {
        type: ComponentType.TextInput,
        custom_id: field.id,
        style: field.multiline ? TextInputStyle.Paragraph : TextInputStyle.Short,
        max_length: Math.min(textInputLimit, field.maxLength),
        value: field.value.slice(0, Math.min(textInputLimit, field.maxLength)),
        required: true,
      },
    })),
  };
}

export class ChoiceButtons {
  constructor(private readonly context: InboundContext) {}

  async handle(interaction: ButtonInteraction): Promise<void> {
    const choice = decodeChoice(interaction.customId);
    if (!choice || !interaction.inGuild()) return;
    const person = this.personOf(interaction);
    // Answered within Discord's 3 s, deferred when slow; a form can open only as the first answer.
    const slow = deferWhenSlow(() => interaction.deferReply({ flags: MessageFlags.Ephemeral }));
    let reply;
    try {
      reply = await this.context.runCommand({ name: choice.command, options: choice.options, person, address: await this.addressOf(interaction), sessionId: undefined });
    } finally {
      await slow.settle();
    }
    const modal = reply.form && !interaction.deferred && !interaction.replied ? formModal(reply.form) : undefined;
    if (modal) return interaction.showModal(modal);
    await deliver(interaction, reply);
  }

  /** A form's submission: its command, with the fields' values as JSON in `form`. */
  async handleSubmit(interaction: ModalSubmitInteraction): Promise<void> {
    const form = decodeChoice(interaction.customId);
    if (!form || !interaction.inGuild()) return;
    const values = Object.fromEntries(interaction.fields.fields.map((field) => [field.customId, 'value' in field ? field.value : '']));
    const person = this.personOf(interaction);
    const address = await this.addressOf(interaction);
    await respondWithin(interaction, () => this.context.runCommand({ name: form.command, options: { ...form.options, form: JSON.stringify(values) }, person, address, sessionId: undefined }));
  }

  private personOf(interaction: ButtonInteraction<'cached' | 'raw'> | ModalSubmitInteraction<'cached' | 'raw'>): Person {
    const person = personOf(interaction.user, null, null, interaction.memberPermissions?.bitfield ?? 0n, { roles: interactionRoles(interaction.member) ?? [], managerRole: this.context.config.COMMUNITY_MANAGER_ROLE });
    const member = interaction.member;
    person.displayName = firstName('nick' in member ? member.nick : undefined, interaction.user.globalName, interaction.user.username) ?? person.displayName;
    return person;
  }

  private async addressOf(interaction: ButtonInteraction<'cached' | 'raw'> | ModalSubmitInteraction<'cached' | 'raw'>) {
    const channelId = interaction.channelId ?? '';
    const channel = interaction.channel ?? (await this.context.client.channels.fetch(channelId).catch(() => null));
    const parentId = channel && 'isThread' in channel && channel.isThread() ? channel.parentId : undefined;
    return { platform: 'discord' as const, channel: parentId ?? channelId, thread: channelId, community: interaction.guildId };
  }
}

