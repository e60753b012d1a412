/**
 * The language a session speaks: the one rule, pure. Highest first:
 * 1. the override (`/lang <code>`, or `--lang` in the terminal) while it is set;
 * 2. the people's language, when the last two people's messages whose language can be told
 *    (people only — never a persona or the moderator) agree on it;
 * 3. the language the session already speaks (sticky: one message, or two that disagree, change nothing);
 * 4. the topic's language;
 * 5. DEFAULT_LANGUAGE, where `auto` means English.
 * At creation and after `/lang auto` there is no current language, so 2, 4 and 5 decide afresh.
 *
 * The result is a code (`zh`, `en`, `fr`, `pt-BR`); `promptLanguage` names it for prompts and
 * the message catalogs (src/i18n) pick the moderator's words by it.
 */
import type { SessionMeta, TranscriptEntry } from '../session/session-types.ts';
import { detectLanguageCode, languageName } from './detect-language.ts';

export interface LanguageInputs {
  /** `/lang <code>`; undefined or '' when none (an empty string is how `/lang auto` clears it). */
  override?: string | undefined;
  /** What the session speaks now (`meta.language`); undefined at creation and after `/lang auto`. */
  current?: string | undefined;
  topic: string;
  /** What people wrote, oldest first: people's messages only. */
  peopleMessages: readonly string[];
  /** Config `DEFAULT_LANGUAGE`: a code, or `auto`. */
  defaultLanguage: string;
}

export function resolveSessionLanguage(inputs: LanguageInputs): string {
  if (inputs.override) return inputs.override;
  const told: string[] = [];
  for (let index = inputs.peopleMessages.length - 1; index >= 0 && told.length < 2; index--) {
    const code = detectLanguageCode(inputs.peopleMessages[index] ?? '');
    if (code) told.push(code);
  }
  if (told.length === 2 && told[0] === told[1]) return told[0]!;
  if (inputs.current) return inputs.current;
  return detectLanguageCode(inputs.topic) ?? (inputs.defaultLanguage === 'auto' ? 'en' : inputs.defaultLanguage);
}

/** The rule applied to a session and the transcript entries it can see (the people's among them count). */
export function sessionLanguage(meta: Pick<SessionMeta, 'topic' | 'language' | 'languageOverride'>, entries: readonly TranscriptEntry[], defaultLanguage: string): string {
  return resolveSessionLanguage({
    override: meta.languageOverride,
    current: meta.language,
    topic: meta.topic,
    peopleMessages: entries.filter((entry) => entry.kind === 'person').map((entry) => entry.text),
    defaultLanguage,
  });
}

/** The session's language as a prompt names it ("Chinese"); a session from before languages were kept says the topic's. */
export function promptLanguage(meta: Pick<SessionMeta, 'topic' | 'language' | 'languageOverride'>): string {
  const code = meta.languageOverride || meta.language || detectLanguageCode(meta.topic) || 'en';
  return languageName(code) ?? code;
}
