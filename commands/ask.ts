import { z } from 'zod';
import type { CommandDefinition } from './command.ts';
import { unknownPersona } from './shared/persona-option.ts';
import { addressedPrefix } from '../src/engine/speakers.ts';
import { t } from '../src/i18n/translate.ts';

const schema = z.object({
  persona: z.string().trim().min(1, 'name a persona').max(80),
  text: z.string().trim().min(1, 'say what to ask').max(2_000),
});

/**
 * `/ask <persona> <text>`: the person's message, addressed to one persona — only it answers next
 * (src/engine/agenda.ts). A name of several words may run into the text ("Li Zhiqiang what…"):
 * the longest persona name the words start with is the one asked. The question is said in the
 * thread, so everyone sees what the answer answers.
 */
const ask: CommandDefinition<z.infer<typeof schema>> = {
  name: 'ask',
  description: 'Ask one persona: only it answers next',
  descriptionIn: { zh: '单独问一位嘉宾：只有这位嘉宾接着回答' },
  options: [
    { name: 'persona', description: 'The persona to ask (its name)', type: 'string', required: true, maxLength: 80 },
    { name: 'text', description: 'What you ask', type: 'string', required: true, maxLength: 2_000, text: 'rest' },
  ],
  schema,
  permission: 'anyone',
  requiresSession: true,
  usages: [{ args: '<persona> <text>', says: 'only that persona answers next', saysIn: { zh: '只让这位嘉宾接着回答' } }],
  hintInSession: true,
  actsImmediately: true,
  spendsTokens: () => true,
  async execute(context, options) {
    const { language } = context;
    const status = await context.roundtable.status(context.sessionId!);
    const personas = status?.personas ?? [];
    const found = addressedPrefix(`${options.persona} ${options.text}`, personas);
    if (!found) return unknownPersona(language, options.persona, personas);
    const name = found.persona.displayName;
    if (status?.muted?.some((muted) => muted.id === found.persona.id)) return { text: t(language, 'ask.mutedReply', { name }), visibility: 'ephemeral' };
    if (!found.rest) return { text: t(language, 'ask.empty', { name }), visibility: 'ephemeral' };
    await context.roundtable.submit(context.sessionId!, context.person, { type: 'message', text: found.rest, images: [], addressedTo: found.persona.id });
    return { text: t(language, 'ask.asked', { person: context.person.displayName, persona: name, text: found.rest }), visibility: 'thread' };
  },
};

export default ask;
