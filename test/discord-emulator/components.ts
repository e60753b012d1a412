/**
 * Message components and modals as Discord checks them (developers/components/reference.mdx,
 * interactions/receiving-and-responding.mdx), for the shapes the bot sends:
 * - messages: ≤ 5 Action Rows (type 1), each with 1–5 Buttons (type 2) or one select; a button
 *   of style 1–4 needs a `custom_id` (1–100 characters, unique in the message) and no `url`, a
 *   link button (style 5) a `url` and no `custom_id`; labels ≤ 80 characters. `id`s left out are
 *   numbered in order, as Discord does.
 * - webhooks: application-owned ones may send every component; others only non-interactive ones,
 *   and only with `?with_components=true` — without it `components` is ignored (webhook.mdx).
 * - modals (callback type 9): `custom_id` 1–100, `title` 1–45, 1–5 components: Labels (type 18,
 *   `label` ≤ 45) or the deprecated Action Rows, each holding one Text Input (type 4: `custom_id`
 *   1–100, `style` 1 or 2, `min_length` 0–4000, `max_length` 1–4000, `placeholder` ≤ 100).
 * The 50035 error shapes follow the emulator's `errors.invalidForm`.
 */
import type { JsonObject } from './emulator-state.ts';
import { errors } from './http-kit.ts';

const interactiveTypes = new Set([2, 3, 5, 6, 7, 8]);

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lengthBetween(value: unknown, min: number, max: number): value is string {
  return typeof value === 'string' && value.length >= min && value.length <= max;
}

function isInteractive(component: JsonObject): boolean {
  if (component.type === 2) return component.style !== 5 && component.style !== 6;
  return interactiveTypes.has(Number(component.type));
}

/** Checks message components and fills in missing `id`s; returns the components as stored. */
export function validateMessageComponents(value: unknown): JsonObject[] {
  if (!Array.isArray(value)) throw errors.invalidForm('components', 'Must be an array.');
  if (value.length > 5) throw errors.invalidForm('components', 'Must be 5 or fewer in length.');
  const customIds = new Set<string>();
  let nextId = 1;
  return value.map((row: unknown, rowIndex) => {
    if (!isObject(row) || row.type !== 1 || !Array.isArray(row.components)) throw errors.invalidForm(`components.${rowIndex}`, 'Expected an action row.');
    const children = row.components as unknown[];
    if (children.length < 1 || children.length > 5) throw errors.invalidForm(`components.${rowIndex}.components`, 'Must be between 1 and 5 in length.');
    // Numbered in document order: the row, then its children.
    const rowId = typeof row.id === 'number' && row.id > 0 ? row.id : nextId++;
    const filled = children.map((child: unknown, childIndex) => {
      const path = `components.${rowIndex}.components.${childIndex}`;
      if (!isObject(child)) throw errors.invalidForm(path, 'Expected a component.');
      if (child.type === 2) {
        const link = child.style === 5;
        if (typeof child.style !== 'number' || child.style < 1 || child.style > 6) throw errors.invalidForm(`${path}.style`, 'Value must be one of {1, 2, 3, 4, 5, 6}.');
        if (child.label !== undefined && !lengthBetween(child.label, 0, 80)) throw errors.invalidForm(`${path}.label`, 'Must be 80 or fewer in length.');
        if (link && (child.custom_id !== undefined || typeof child.url !== 'string')) throw errors.invalidForm(path, 'A link button needs a url and no custom_id.');
        if (!link && child.style !== 6) {
          if (!lengthBetween(child.custom_id, 1, 100)) throw errors.invalidForm(`${path}.custom_id`, 'Must be between 1 and 100 in length.');
          if (child.url !== undefined) throw errors.invalidForm(path, 'A non-link button cannot have a url.');
          if (customIds.has(child.custom_id)) throw errors.invalidForm(`${path}.custom_id`, 'Component custom id cannot be duplicated.');
          customIds.add(child.custom_id);
        }
      } else if (!interactiveTypes.has(Number(child.type)) || children.length !== 1) {
        throw errors.invalidForm(path, 'An action row holds buttons or one select menu.');
      }
      return { ...child, id: typeof child.id === 'number' && child.id > 0 ? child.id : nextId++ };
    });
    return { ...row, id: rowId, components: filled };
  });
}

/**
 * What a webhook's execute or edit keeps of `components`: all of them for an application-owned
 * webhook; for another webhook nothing unless `with_components=true`, and then no interactive ones.
 * Undefined: the field is left as it is (absent from the request, or ignored).
 */
export function webhookComponents(body: JsonObject, query: URLSearchParams, applicationOwned: boolean): JsonObject[] | undefined {
  if (body.components === undefined || body.components === null) return body.components === null ? [] : undefined;
  const withComponents = query.get('with_components') === 'true';
  if (!applicationOwned && !withComponents) return undefined;
  const components = validateMessageComponents(body.components);
  if (!applicationOwned && components.some((row) => (row.components as JsonObject[]).some(isInteractive))) {
    throw errors.invalidForm('components', 'Webhooks not owned by an application cannot send interactive components.');
  }
  return components;
}

/** One Text Input of a modal: its custom_id and what a submission must respect. */
export interface ModalTextInput {
  customId: string;
  /** The Label (type 18) it sits in, or a deprecated Action Row (type 1). */
  wrapper: 1 | 18;
  required: boolean;
  minLength: number;
  maxLength: number;
}

/** Checks a MODAL callback's `data`; returns its text inputs in order. */
export function validateModal(data: JsonObject): ModalTextInput[] {
  if (!lengthBetween(data.custom_id, 1, 100)) throw errors.invalidForm('data.custom_id', 'Must be between 1 and 100 in length.');
  if (!lengthBetween(data.title, 1, 45)) throw errors.invalidForm('data.title', 'Must be between 1 and 45 in length.');
  const components = data.components;
  if (!Array.isArray(components) || components.length < 1 || components.length > 5) throw errors.invalidForm('data.components', 'Must be between 1 and 5 in length.');
  const inputs: ModalTextInput[] = [];
  components.forEach((component: unknown, index) => {
    const path = `data.components.${index}`;
    if (!isObject(component)) throw errors.invalidForm(path, 'Expected a component.');
    const wrapped = wrappedInput(component, path);
    if (!isObject(wrapped) || wrapped.type !== 4) throw errors.invalidForm(path, 'Only text inputs are emulated in modals.');
    const input = wrapped;
    const customId = input.custom_id;
    if (!lengthBetween(customId, 1, 100)) throw errors.invalidForm(`${path}.custom_id`, 'Must be between 1 and 100 in length.');
    if (input.style !== 1 && input.style !== 2) throw errors.invalidForm(`${path}.style`, 'Value must be one of {1, 2}.');
    const minLength = input.min_length === undefined ? 0 : Number(input.min_length);
    const maxLength = input.max_length === undefined ? 4_000 : Number(input.max_length);
    if (!Number.isInteger(minLength) || minLength < 0 || minLength > 4_000) throw errors.invalidForm(`${path}.min_length`, 'Must be between 0 and 4000.');
    if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > 4_000 || maxLength < minLength) throw errors.invalidForm(`${path}.max_length`, 'Must be between 1 and 4000.');
    if (input.placeholder !== undefined && !lengthBetween(input.placeholder, 0, 100)) throw errors.invalidForm(`${path}.placeholder`, 'Must be 100 or fewer in length.');
    if (input.value !== undefined && !lengthBetween(input.value, 0, 4_000)) throw errors.invalidForm(`${path}.value`, 'Must be 4000 or fewer in length.');
    if (inputs.some((known) => known.customId === customId)) throw errors.invalidForm(`${path}.custom_id`, 'Component custom id cannot be duplicated.');
    inputs.push({ customId, wrapper: component.type === 18 ? 18 : 1, required: input.required !== false, minLength, maxLength });
  });
  return inputs;
}

/** The text input inside a modal's Label (type 18) or deprecated Action Row (type 1). */
function wrappedInput(component: JsonObject, path: string): unknown {
  if (component.type === 18) {
    if (!lengthBetween(component.label, 1, 45)) throw errors.invalidForm(`${path}.label`, 'Must be between 1 and 45 in length.');
    if (component.description !== undefined && !lengthBetween(component.description, 0, 100)) throw errors.invalidForm(`${path}.description`, 'Must be 100 or fewer in length.');
    return component.component;
  }
  if (component.type === 1 && Array.isArray(component.components) && component.components.length === 1) return component.components[0];
  throw errors.invalidForm(path, 'Expected a label or an action row with one text input.');
}

/**
 * MODAL_SUBMIT `data.components` as Discord sends them: each Label → `{type: 18, id, component:
 * {type: 4, id, custom_id, value}}`, each Action Row → `{type: 1, id, components: [{type: 4, id,
 * custom_id, value}]}`. Throws (a test mistake, not an API error) when a value breaks the modal's
 * own rules, which the Discord client enforces before it submits.
 */
export function modalSubmitComponents(inputs: ModalTextInput[], values: Record<string, string>): JsonObject[] {
  let nextId = 1;
  return inputs.map((input) => {
    const value = values[input.customId] ?? '';
    if (input.required && value.length === 0) throw new Error(`the modal's ${input.customId} is required`);
    if (value.length > 0 && (value.length < input.minLength || value.length > input.maxLength)) throw new Error(`the modal's ${input.customId} takes ${input.minLength}–${input.maxLength} characters`);
    const wrapperId = nextId++;
    const textInput = { type: 4, id: nextId++, custom_id: input.customId, value };
    return input.wrapper === 18 ? { type: 18, id: wrapperId, component: textInput } : { type: 1, id: wrapperId, components: [textInput] };
  });
}

/** The custom_ids of a message's buttons and selects. */
export function customIdsOf(components: unknown): string[] {
  if (!Array.isArray(components)) return [];
  return (components as JsonObject[]).flatMap((row) => (Array.isArray(row.components) ? (row.components as JsonObject[]) : [])).flatMap((child) => (typeof child.custom_id === 'string' ? [child.custom_id] : []));
}

