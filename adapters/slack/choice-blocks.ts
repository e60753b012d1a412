/**
 * A reply's choices (`CommandReply.choices`: a draft's Save / Regenerate / Cancel) as Block Kit
 * buttons under the reply's text. A press runs the choice's command as whoever pressed it (the
 * command checks who may). action_id `tableround_choice_<n>`; value: the command and its
 * options as JSON (Slack allows 2,000 characters).
 */
import type { ReplyChoice, ReplyForm } from '../../src/command-core/command-contract.ts';

export const choiceActionPrefix = 'tableround_choice_';
/** The callback_id of a form opened from a choice (a persona's edit form). */
export const formCallbackId = 'tableround_form';
/** Slack's limits: modal title 24 characters, labels 2,000, plain_text_input 3,000, private_metadata 3,000. */
const titleLimit = 24;
const inputLimit = 3_000;
const valueLimit = 2_000;

export function choiceBlocks(text: string, choices: readonly ReplyChoice[]): unknown[] {
  const elements = choices
    .map((choice, index) => {
      const value = JSON.stringify({ command: choice.command, options: choice.options });
      if (value.length > valueLimit) return undefined;
      return {
        type: 'button',
        action_id: `${choiceActionPrefix}${index}`,
        text: { type: 'plain_text', text: choice.label.slice(0, 75), emoji: true },
        value,
        ...(choice.style === 'primary' ? { style: 'primary' } : choice.style === 'danger' ? { style: 'danger' } : {}),
      };
    })
    .filter((element) => element !== undefined)
    .slice(0, 25);
  return [{ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3_000) } }, ...(elements.length ? [{ type: 'actions', elements }] : [])];
}

export function decodeChoiceValue(value: string | undefined): { command: string; options: Record<string, string> } | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(value) as { command?: unknown; options?: unknown };
    if (typeof parsed.command !== 'string' || !/^[a-z][a-z0-9-]{0,31}$/.test(parsed.command) || !parsed.options || typeof parsed.options !== 'object') return undefined;
    const options = Object.fromEntries(Object.entries(parsed.options as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    return { command: parsed.command, options };
  } catch {
    return undefined;
  }
}

/** Where a form's submission goes: its command and options, and the channel to answer in. */
export interface FormTarget {
  command: string;
  options: Record<string, string>;
  channel: string;
}

/** A form as a modal: one input per field, filled with its value (block_id and action_id are the field's id). */
export function formView(form: ReplyForm, channel: string): Record<string, unknown> | undefined {
  const metadata = JSON.stringify({ command: form.command, options: form.options, channel } satisfies FormTarget);
  if (metadata.length > 3_000) return undefined;
  return {
    type: 'modal',
    callback_id: formCallbackId,
    private_metadata: metadata,
    title: { type: 'plain_text', text: form.title.slice(0, titleLimit), emoji: true },
    submit: { type: 'plain_text', text: 'Save', emoji: true },
    blocks: form.fields.map((field) => ({
      type: 'input',
      block_id: field.id,
      label: { type: 'plain_text', text: field.label.slice(0, 2_000), emoji: true },
      element: {
        type: 'plain_text_input',
        action_id: field.id,
        multiline: field.multiline,
        max_length: Math.min(inputLimit, field.maxLength),
        initial_value: field.value.slice(0, Math.min(inputLimit, field.maxLength)),
      },
    })),
  };
}

export function decodeFormTarget(metadata: string | undefined): FormTarget | undefined {
  const decoded = decodeChoiceValue(metadata);
  if (!decoded) return undefined;
  try {
    const channel = (JSON.parse(metadata ?? '') as { channel?: unknown }).channel;
    return typeof channel === 'string' ? { ...decoded, channel } : undefined;
  } catch {
    return undefined;
  }
}

/** A submitted form's values by field id (`view.state.values[block_id][action_id].value`). */
export function formValues(state: { values?: Record<string, Record<string, { value?: string | null }>> } | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(state?.values ?? {}).map(([blockId, actions]) => [blockId, actions[blockId]?.value ?? '']));
}
