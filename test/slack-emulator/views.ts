/**
 * Modals as Slack handles them: `views.open` exchanges a trigger_id (issued with an interaction
 * payload, valid for 3 s and once: `invalid_trigger_id`, `expired_trigger_id`,
 * `exchanged_trigger_id` — docs.slack.dev/reference/methods/views.open) for an open view, and a
 * submission is delivered as a `view_submission` payload whose `view.state.values` holds each
 * input block's element by `block_id` and `action_id` (`{type: 'plain_text_input', value}`).
 *
 * View checks (docs.slack.dev/reference/views/modal-views): `type` `modal`; `title` plain_text ≤ 24
 * characters; ≤ 100 blocks; `submit` required with an input block, ≤ 24 characters, as `close`;
 * `private_metadata` ≤ 3,000; `callback_id` ≤ 255. Input blocks: plain_text `label` ≤ 2,000;
 * `plain_text_input` elements with `action_id` ≤ 255, `max_length` ≤ 3,000, `min_length` ≤ 3,000
 * and ≤ `max_length`. A broken view is refused with `invalid_arguments` and a json-pointer message,
 * as Slack answers Block Kit errors.
 */
import { randomId, type Workspace } from './workspace.ts';

/** How long a trigger_id can be exchanged (Slack: 3 s after the interaction). */
export const triggerLifetimeMs = 3_000;

export interface IssuedTrigger {
  userId: string;
  issuedAt: number;
  exchanged: boolean;
}

export interface OpenView {
  /** The view object as `views.open` returns it (id, team_id, app_id, state …). */
  view: Record<string, unknown>;
  userId: string;
  openedAt: number;
  /** Closed by a successful submission (an ack without errors). */
  closed: boolean;
}

type Result = Record<string, unknown> & { ok: boolean };

const invalid = (pointer: string, message: string): Result => ({ ok: false, error: 'invalid_arguments', response_metadata: { messages: [`[ERROR] ${message} [json-pointer:${pointer}]`] } });

function plainText(value: unknown, max: number): boolean {
  const text = value as { type?: unknown; text?: unknown } | undefined;
  return text?.type === 'plain_text' && typeof text.text === 'string' && text.text.length >= 1 && text.text.length <= max;
}

/** Checks a modal view; the failure to answer with, or undefined when it is valid. */
export function checkModal(view: Record<string, unknown>): Result | undefined {
  if (view.type !== 'modal') return invalid('/view/type', 'must be "modal"');
  if (!plainText(view.title, 24)) return invalid('/view/title', 'must be a plain_text object of at most 24 characters');
  const blocks = view.blocks;
  if (!Array.isArray(blocks) || blocks.length > 100) return invalid('/view/blocks', 'must be an array of at most 100 items');
  const inputs = blocks.filter((block: { type?: unknown }) => block.type === 'input');
  if (inputs.length > 0 && !plainText(view.submit, 24)) return invalid('/view/submit', 'is required with input blocks and takes at most 24 characters');
  if (view.close !== undefined && !plainText(view.close, 24)) return invalid('/view/close', 'takes at most 24 characters');
  if (view.private_metadata !== undefined && (typeof view.private_metadata !== 'string' || view.private_metadata.length > 3_000)) return invalid('/view/private_metadata', 'must be a string of at most 3000 characters');
  if (view.callback_id !== undefined && (typeof view.callback_id !== 'string' || view.callback_id.length > 255)) return invalid('/view/callback_id', 'must be a string of at most 255 characters');
  for (const [index, block] of (blocks as Record<string, unknown>[]).entries()) {
    if (block.type !== 'input') continue;
    const pointer = `/view/blocks/${index}`;
    if (!plainText(block.label, 2_000)) return invalid(`${pointer}/label`, 'must be a plain_text object of at most 2000 characters');
    const element = block.element as Record<string, unknown> | undefined;
    if (element?.type !== 'plain_text_input') continue;
    if (typeof element.action_id !== 'string' || element.action_id.length > 255) return invalid(`${pointer}/element/action_id`, 'must be a string of at most 255 characters');
    const max = element.max_length === undefined ? 3_000 : Number(element.max_length);
    const min = element.min_length === undefined ? 0 : Number(element.min_length);
    if (!Number.isInteger(max) || max < 1 || max > 3_000) return invalid(`${pointer}/element/max_length`, 'must be at most 3000');
    if (!Number.isInteger(min) || min < 0 || min > 3_000 || min > max) return invalid(`${pointer}/element/min_length`, 'must be at most 3000 and at most max_length');
    if (element.placeholder !== undefined && !plainText(element.placeholder, 150)) return invalid(`${pointer}/element/placeholder`, 'must be a plain_text object of at most 150 characters');
  }
  return undefined;
}

/** `views.open`: exchanges the trigger for an open view. */
export function openView(args: Record<string, unknown>, workspace: Workspace, now = Date.now()): Result {
  const triggerId = typeof args.trigger_id === 'string' ? args.trigger_id : undefined;
  const trigger = triggerId ? workspace.triggers.get(triggerId) : undefined;
  if (!triggerId || !trigger) return { ok: false, error: 'invalid_trigger_id' };
  if (trigger.exchanged) return { ok: false, error: 'exchanged_trigger_id' };
  if (now - trigger.issuedAt > triggerLifetimeMs) return { ok: false, error: 'expired_trigger_id' };
  let view: unknown = args.view;
  if (typeof view === 'string') {
    try {
      view = JSON.parse(view) as unknown;
    } catch {
      return { ok: false, error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] view must be a JSON-encoded string'] } };
    }
  }
  if (!view || typeof view !== 'object' || Array.isArray(view)) return { ok: false, error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] missing required field: view'] } };
  const failure = checkModal(view as Record<string, unknown>);
  if (failure) return failure;
  trigger.exchanged = true;
  const id = randomId('V');
  const opened = {
    ...(view as Record<string, unknown>),
    id,
    team_id: workspace.teamId,
    state: { values: {} },
    hash: `${Math.floor(now / 1000)}.${randomId('', 8)}`,
    private_metadata: (view as { private_metadata?: string }).private_metadata ?? '',
    callback_id: (view as { callback_id?: string }).callback_id ?? '',
    clear_on_close: false,
    notify_on_close: false,
    close: (view as { close?: unknown }).close ?? null,
    submit: (view as { submit?: unknown }).submit ?? null,
    previous_view_id: null,
    root_view_id: id,
    app_id: workspace.appId,
    external_id: '',
    app_installed_team_id: workspace.teamId,
    bot_id: workspace.botId,
  };
  workspace.views.set(id, { view: opened, userId: trigger.userId, openedAt: now, closed: false });
  return { ok: true, view: opened };
}

/**
 * `view.state.values` for a submission: each input block's element, typed as the view declares it.
 * Throws (a test mistake) for a block or action the view does not have, or a value the client would
 * not let through (required and empty, longer than `max_length`).
 */
export function submittedState(view: Record<string, unknown>, values: Record<string, Record<string, string>>): Record<string, Record<string, { type: string; value: string | null }>> {
  const inputs = ((view.blocks as Record<string, unknown>[] | undefined) ?? []).filter((block) => block.type === 'input');
  const state: Record<string, Record<string, { type: string; value: string | null }>> = {};
  for (const block of inputs) {
    const blockId = String(block.block_id ?? '');
    const element = (block.element ?? {}) as { type?: string; action_id?: string; max_length?: number };
    const actionId = String(element.action_id ?? '');
    const value = values[blockId]?.[actionId];
    if (!block.optional && !value) throw new Error(`input ${blockId}/${actionId} is required`);
    if (value && element.max_length !== undefined && value.length > element.max_length) throw new Error(`input ${blockId}/${actionId} takes at most ${element.max_length} characters`);
    state[blockId] = { [actionId]: { type: element.type ?? 'plain_text_input', value: value ?? null } };
  }
  for (const blockId of Object.keys(values)) if (!(blockId in state)) throw new Error(`the view has no input block ${blockId}`);
  return state;
}
