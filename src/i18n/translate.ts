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
  const text = (catalogs[baseLanguage(language)] ?? en)[key];
  const values: Partial<Record<string, string | number>> = variables[0] ?? {};
  return text.replace(/\{(\w+)\}/g, (placeholder, name: string) => String(values[name] ?? placeholder));
}

/** Items joined as the language lists them (`a, b` / `a、b`). */
export function joinList(language: string | undefined, items: readonly string[]): string {
  return items.join(t(language, 'list.separator'));
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
