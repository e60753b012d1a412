/**
 * `/lang <code>` reaching the session (planned first, by commands/lang.ts): sets or clears the
 * override and the language the session speaks, and the moderator says so in that language. With
 * `auto` the override is cleared ('' — undefined fields are not written) and the session's rule
 * (src/prompts/session-language.ts) decides afresh from the people's messages, the topic and
 * DEFAULT_LANGUAGE. No model call; idempotent (a re-run computes and posts the same).
 */
import type { Person } from '../../adapter/inbound-event.ts';
import type { StepOf } from '../../session/session-types.ts';
import { sessionLanguage } from '../../prompts/session-language.ts';
import { languageNameIn, t } from '../../i18n/translate.ts';
import { defineStep } from '../step-kind.ts';
import { commandUsage, entry, moderator, postOnce, type StepContext, type StepOutcome } from '../step-context.ts';

declare module '../../session/session-types.ts' {
  interface StepPayloads {
    /** `code`: a canonical language code, or `auto`. */
    language: { code: string; by: Person };
  }
}

export async function runLanguage(context: StepContext, step: StepOf<'language'>): Promise<StepOutcome> {
  const automatic = step.code === 'auto';
  const override = automatic ? '' : step.code;
  const language = sessionLanguage({ topic: context.meta.topic, languageOverride: override }, context.recent, context.deps.config.DEFAULT_LANGUAGE);
  const name = languageNameIn(language, language);
  const text = automatic
    ? t(language, 'language.detected', { language: name, name: step.by.displayName })
    : t(language, 'language.set', { language: name, name: step.by.displayName, autoUsage: commandUsage(context, 'lang', 'auto') });
  await postOnce(context, 'language', moderator, text);
  return {
    meta: { language, languageOverride: override },
    transcript: [entry(context, { kind: 'moderator', speakerId: 'moderator', speakerName: 'Moderator', text })],
  };
}

export const languageStep = defineStep({ kind: 'language', run: runLanguage, usesModel: false, describe: (_step, _panel, language) => t(language, 'step.language') });
