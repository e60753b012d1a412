/**
 * Asking one persona directly on Slack: the "Ask ⟨name⟩" button on persona posts, the modal it
 * opens (views.open) and what its submission (view_submission) carries.
 *
 * A message with `blocks` shows the blocks, and its `text` becomes the notification fallback
 * (chat.postMessage / chat.update reference): a persona post therefore carries its text as
 * `section` blocks (mrkdwn, ≤ 3,000 characters each, `verbatim` so that Slack parses no mention
 * or channel name in it) followed by an `actions` block with the button — and every chat.update
 * of it must send its blocks again, since an update without `blocks` keeps the old ones (the
 * post would go on showing its first text). A native stream gets the button as chat.stopStream's
 * `blocks`, "rendered at the bottom of the finalized message" (chat.stopStream reference).
 *
 * Slack's limits: button text ≤ 75 characters, `value` ≤ 2,000; ≤ 50 blocks per message; modal
 * title, submit and close ≤ 24 characters; `private_metadata` ≤ 3,000; plain_text_input
 * `max_length` ≤ 3,000; input label ≤ 2,000; placeholder ≤ 150.
 */
import { t } from '../../src/i18n/translate.ts';

export const askActionId = 'tableround_ask';
export const askCallbackId = 'tableround_ask_modal';
export const questionBlockId = 'question';
export const questionActionId = 'question';

const sectionLimit = 3_000;
const buttonTextLimit = 75;
const modalTextLimit = 24;
const labelLimit = 2_000;
const placeholderLimit = 150;
const inputLimit = 3_000;

/** What the button and the modal carry: enough to act without a lookup (the session and the persona). */
export interface AskTarget {
  sessionId: string;
  personaId: string;
  /** The name the persona posted under (for a refusal once it has left the panel). */
  name?: string;
  /** The session's language when the modal opened (for a refusal inside it). */
  language?: string;
}

export function encodeAskTarget(target: AskTarget): string {
  return JSON.stringify(target);
}

export function decodeAskTarget(raw: string | undefined): AskTarget | undefined {
  try {
    const value = JSON.parse(raw ?? '') as Partial<AskTarget>;
    if (typeof value.sessionId !== 'string' || typeof value.personaId !== 'string') return undefined;
    return {
      sessionId: value.sessionId,
      personaId: value.personaId,
      ...(typeof value.name === 'string' ? { name: value.name } : {}),
      ...(typeof value.language === 'string' ? { language: value.language } : {}),
    };
  } catch {
    return undefined;
  }
}

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1).trimEnd()}…`;
}

/** The `actions` block with the Ask button; `name` is the one the persona posts under. */
export function askActions(target: Omit<AskTarget, 'name' | 'language'>, name: string, language: string | undefined): Record<string, unknown> {
  const value: AskTarget = { sessionId: target.sessionId, personaId: target.personaId, name: name.slice(0, 80) };
  return {
    type: 'actions',
    block_id: 'persona_ask',
    elements: [{ type: 'button', action_id: askActionId, text: { type: 'plain_text', text: clip(`❓ ${t(language, 'ask.buttonLabel', { name })}`, buttonTextLimit), emoji: true }, value: encodeAskTarget(value) }],
  };
}

/** Rendered mrkdwn in `section` blocks of ≤ 3,000 characters, cut at line ends (else spaces) where it can. */
export function textSections(mrkdwn: string): Record<string, unknown>[] {
  const sections: Record<string, unknown>[] = [];
  let rest = mrkdwn;
  while (rest.trim()) {
    let cut = rest.length;
    if (cut > sectionLimit) {
      const window = rest.slice(0, sectionLimit);
      const at = Math.max(window.lastIndexOf('\n'), window.lastIndexOf(' '));
      // Never inside an entity (`&amp;`): cutting at a space or line end keeps them whole.
      cut = at > sectionLimit / 2 ? at + 1 : sectionLimit;
    }
    sections.push({ type: 'section', text: { type: 'mrkdwn', text: rest.slice(0, cut), verbatim: true } });
    rest = rest.slice(cut);
  }
  return sections;
}

/** A persona post's blocks: its text, then the Ask button. */
export function personaPostBlocks(mrkdwn: string, actions: Record<string, unknown>): unknown[] {
  return [...textSections(mrkdwn), actions];
}

/** The modal: one multi-line input. `maxLength` is the session's message cap (MAX_MESSAGE_CHARS). */
export function askModalView(target: AskTarget, name: string, maxLength: number): Record<string, unknown> {
  const { language } = target;
  return {
    type: 'modal',
    callback_id: askCallbackId,
    private_metadata: encodeAskTarget(target),
    title: { type: 'plain_text', text: clip(t(language, 'ask.modalTitle', { name }), modalTextLimit), emoji: true },
    submit: { type: 'plain_text', text: clip(t(language, 'ask.submit'), modalTextLimit), emoji: true },
    blocks: [
      {
        type: 'input',
        block_id: questionBlockId,
        label: { type: 'plain_text', text: clip(t(language, 'ask.inputLabel', { name }), labelLimit), emoji: true },
        element: {
          type: 'plain_text_input',
          action_id: questionActionId,
          multiline: true,
          min_length: 1,
          max_length: Math.min(inputLimit, Math.max(1, maxLength)),
          placeholder: { type: 'plain_text', text: clip(t(language, 'ask.inputPlaceholder', { name }), placeholderLimit) },
        },
      },
    ],
  };
}

/** The submitted view as far as this app reads it (`view.state.values[block_id][action_id].value`). */
export interface SubmittedView {
  id: string;
  private_metadata?: string;
  state?: { values?: Record<string, Record<string, { type?: string; value?: string | null }>> };
}

export function questionOf(view: SubmittedView): string {
  return (view.state?.values?.[questionBlockId]?.[questionActionId]?.value ?? '').trim();
}
