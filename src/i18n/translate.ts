/**
 * `t(language, key, vars)`: one of the bot's own sentences in the session's language. Pure.
 *
 * Contract: `language` is a session language code (`zh`, `zh-TW`, `fr`, undefined); a catalog is
 * chosen by its base language (`zh-TW` → zh), anything without one falls back to English. The
 * variables a call must pass are the English text's placeholders, checked at compile time.
 * Language names come from Intl in the display language ("中文" in a Chinese session).
 */
import { en, type Catalog, type MessageKey } from './messages-en.ts';
import { zh } from './messages-zh.ts';

export type { MessageKey } from './messages-en.ts';

const catalogs: Readonly<Record<string, Catalog>> = { en, zh };

/** The languages with a catalog of their own (the rest speak English). */
export const catalogLanguages = Object.keys(catalogs);

/** `{name}` placeholders of a text literal, as a union of names. */
type Placeholders<Text extends string> = Text extends `${string}{${infer Name}}${infer Rest}` ? Name | Placeholders<Rest> : never;

export type MessageVariables<Key extends MessageKey> = Record<Placeholders<(typeof en)[Key]>, string | number>;

/** `zh-TW` → `zh`; undefined or '' → `en`. */
export function baseLanguage(language: string | undefined): string {
  return (language || 'en').toLowerCase().split('-')[0] ?? 'en';
}

export function t<Key extends MessageKey>(language: string | undefined, key: Key, ...variables: Placeholders<(typeof en)[Key]> extends never ? [] : [MessageVariables<Key>]): string {
  return fill(language, key, variables[0] ?? {});
}

function fill(language: string | undefined, key: MessageKey, values: Partial<Record<string, string | number | CatalogText>>): string {
  const text = (catalogs[baseLanguage(language)] ?? en)[key];
  return text.replace(/\{(\w+)\}/g, (placeholder, name: string) => {
    const value = values[name];
    if (value === undefined) return placeholder;
    return typeof value === 'object' ? renderText(language, value) : String(value);
  });
}

/**
 * A sentence of the catalog not yet rendered: where it is said is not where its language is known
 * (an error thrown in the model gateway, told to the person by `describeForPerson`). A variable
 * may itself be such a sentence ("the {role} model": `model.roleChat`), rendered in the same language.
 */
export interface CatalogText {
  readonly key: MessageKey;
  readonly variables?: Readonly<Record<string, string | number | CatalogText>>;
}

export function catalogText<Key extends MessageKey>(
  key: Key,
  ...variables: Placeholders<(typeof en)[Key]> extends never ? [] : [Record<Placeholders<(typeof en)[Key]>, string | number | CatalogText>]
): CatalogText {
  return variables[0] ? { key, variables: variables[0] } : { key };
}

/** A `CatalogText` in `language` (variables that are sentences too, in the same language). */
export function renderText(language: string | undefined, text: CatalogText): string {
  return fill(language, text.key, text.variables ?? {});
}

/** Items joined as the language lists them (`a, b` / `a、b`). */
export function joinList(language: string | undefined, items: readonly string[]): string {
  return items.join(t(language, 'list.separator'));
}

/** Names as the language lists them, the last with "and": "Ada", "Ada and Bo", "Ada, Bo and Cy" / "Ada、Bo 和 Cy". */
export function joinWithAnd(language: string | undefined, items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return t(language, 'list.and', { first: joinList(language, items.slice(0, -1)), second: items.at(-1) ?? '' });
}

const displayNames = new Map<string, Intl.DisplayNames>();

/** A language's name as a person reading `inLanguage` says it: `languageNameIn('zh', 'zh')` = "中文". */
export function languageNameIn(code: string, inLanguage: string | undefined): string {
  const display = baseLanguage(inLanguage);
  let names = displayNames.get(display);
  if (!names) {
    names = new Intl.DisplayNames([display, 'en'], { type: 'language', fallback: 'code' });
    displayNames.set(display, names);
  }
  try {
    return names.of(code) ?? code;
  } catch {
    return code;
  }
}
