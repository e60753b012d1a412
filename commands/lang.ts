import { z } from 'zod';
import type { CommandDefinition } from './command.ts';
import { canonicalLanguage } from '../src/prompts/detect-language.ts';
import { languageNameIn, t } from '../src/i18n/translate.ts';

/** `zh`, `EN`, `pt-br` → a canonical code; `auto` stays `auto` (back to following the conversation). */
const schema = z.object({
  code: z
    .string()
    .trim()
    .max(20)
    .transform((code, context) => {
      const canonical = code.toLowerCase() === 'auto' ? 'auto' : canonicalLanguage(code);
      if (canonical) return canonical;
      context.addIssue({ code: 'custom', message: t('en', 'language.invalid') });
      return z.NEVER;
    }),
});

const lang: CommandDefinition<z.infer<typeof schema>> = {
  name: 'lang',
  description: 'Choose the language the roundtable speaks, or auto to follow the conversation',
  descriptionIn: { zh: '指定圆桌使用的语言，或用 auto 跟随对话的语言' },
  options: [{ name: 'code', description: 'A language code such as zh, en, fr — or auto', type: 'string', required: true, maxLength: 20 }],
  schema,
  permission: 'anyone',
  requiresSession: true,
  usages: [
    { args: '<code>', says: 'speak this language from now on (zh, en, fr …)', saysIn: { zh: '从现在起使用这种语言（zh、en、fr …）' } },
    { args: 'auto', says: 'follow the language people write in again', saysIn: { zh: '重新跟随大家所用的语言' } },
  ],
  hintInSession: true,
  async execute(context, options) {
    await context.roundtable.submit(context.sessionId!, context.person, { type: 'command', name: 'lang', options });
    if (options.code === 'auto') return { text: t(context.language, 'language.following'), visibility: 'ephemeral' };
    return { text: t(options.code, 'language.switching', { language: languageNameIn(options.code, options.code) }), visibility: 'ephemeral' };
  },
  plan(planner, { person, options }) {
    // From the next step on, not after what is already planned.
    planner.prepend({ kind: 'language', code: options.code, by: person });
  },
};

export default lang;
