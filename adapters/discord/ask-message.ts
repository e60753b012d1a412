/**
 * Asking one persona directly on Discord: the "Ask ⟨name⟩" button every persona post carries, the
 * dialog (modal) it opens, and the line that shows the question in the thread.
 *
 * custom_id (≤ 100 chars): `tr:a:{personaId}` on the button, `tr:q:{personaId}` on the modal (panel
 * persona ids are ≤ 40 word characters, panel-schema.ts; an id that cannot be encoded gets no
 * button); the modal's one text input is `question`. The session comes from the thread the click
 * happened in, never from the id.
 *
 * Discord's limits (developers/components/reference.mdx, interactions/receiving-and-responding.mdx):
 * button label ≤ 80 chars; modal title ≤ 45; a Label's text ≤ 45 (a Text Input sits in a Label,
 * type 18 — Action Rows with text inputs in modals are deprecated); text input `max_length` ≤ 4000,
 * `placeholder` ≤ 100.
 */
import { ButtonStyle, ComponentType, TextInputStyle, escapeMarkdown, type APIActionRowComponent, type APIButtonComponent, type APIModalInteractionResponseCallbackData } from 'discord.js';
import { t } from '../../src/i18n/translate.ts';
import { prepareContent } from './format-content.ts';

export const questionInputId = 'question';
const buttonLabelLimit = 80;
const modalTitleLimit = 45;
const labelLimit = 45;
const placeholderLimit = 100;
const textInputLimit = 4_000;
/** Discord's limit is 2,000; replies are split at 1,900 (interaction-replies.ts): one message. */
const contentLimit = 1_900;

const personaId = '([\\w-]{1,90})';

export function encodeAskButton(id: string): string {
  return `tr:a:${id}`;
}

export function encodeAskModal(id: string): string {
  return `tr:q:${id}`;
}

/** The persona a button's custom_id names, or undefined when it is not an Ask button. */
export function decodeAskButton(customId: string): string | undefined {
  return new RegExp(`^tr:a:${personaId}$`).exec(customId)?.[1];
}

export function decodeAskModal(customId: string): string | undefined {
  return new RegExp(`^tr:q:${personaId}$`).exec(customId)?.[1];
}

/** Cuts a text to `limit` characters, ending with "…" when cut. */
export function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1).trimEnd()}…`;
}

/** The action row with the Ask button, sent with the persona's post itself (no extra write); undefined for an id no custom_id can carry. */
export function askButtonRow(id: string, name: string, language: string | undefined): APIActionRowComponent<APIButtonComponent> | undefined {
  if (decodeAskButton(encodeAskButton(id)) !== id) return undefined;
  return {
    type: ComponentType.ActionRow,
    components: [{ type: ComponentType.Button, style: ButtonStyle.Secondary, custom_id: encodeAskButton(id), label: clip(t(language, 'ask.buttonLabel', { name }), buttonLabelLimit), emoji: { name: '❓' } }],
  };
}

/** The dialog: one paragraph input inside a Label. `maxLength` is the session's message cap (MAX_MESSAGE_CHARS). */
export function askModal(id: string, name: string, language: string | undefined, maxLength: number): APIModalInteractionResponseCallbackData {
  return {
    custom_id: encodeAskModal(id),
    title: clip(t(language, 'ask.modalTitle', { name }), modalTitleLimit),
    components: [
      {
        type: ComponentType.Label,
        label: clip(t(language, 'ask.inputLabel', { name }), labelLimit),
        component: {
          type: ComponentType.TextInput,
          custom_id: questionInputId,
          style: TextInputStyle.Paragraph,
          min_length: 1,
          max_length: Math.min(textInputLimit, Math.max(1, maxLength)),
          placeholder: clip(t(language, 'ask.inputPlaceholder', { name }), placeholderLimit),
          required: true,
        },
      },
    ],
  };
}

/**
 * "❓ **Ada** asks **Bayar**: …" as it goes to Discord: names with their markdown escaped,
 * `@everyone` / `@here` defused and link targets shown (format-content.ts), within one message. It mentions nobody only with `allowed_mentions: {parse: []}`,
 * which the sender must set (format-content.ts `mentionNobody`).
 */
export function questionLine(language: string | undefined, person: string, persona: string, question: string): string {
  const line = t(language, 'ask.shown', { person: escapeMarkdown(person), persona: escapeMarkdown(persona), question: question.trim() });
  return clip(prepareContent(line), contentLimit);
}
