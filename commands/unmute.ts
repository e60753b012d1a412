import type { CommandDefinition } from './command.ts';
import { namedPersona, personaOption, personaSchema } from './shared/persona-option.ts';
import { t } from '../src/i18n/translate.ts';

const schema = personaSchema;

/** `/unmute <persona>`: the persona speaks again — in replies and votes, and in the rounds not begun yet. Anyone may, as `/mute`. */
const unmute: CommandDefinition<{ persona: string }> = {
  name: 'unmute',
  description: 'Let a muted persona speak again',
  descriptionIn: { zh: '让被静音的嘉宾重新发言' },
  options: [personaOption('The persona to unmute (its name)')],
  schema,
  permission: 'anyone',
  requiresSession: true,
  usages: [{ args: '<persona>', says: 'let a muted persona speak again', saysIn: { zh: '让被静音的嘉宾重新发言' } }],
  actsImmediately: true,
  async execute(context, options) {
    const { language } = context;
    const found = await namedPersona(context, options.persona);
    if ('reply' in found) return found.reply;
    const { persona, status } = found;
    if (!status.muted?.some((entry) => entry.id === persona.id)) return { text: t(language, 'unmute.notMuted', { name: persona.displayName }), visibility: 'ephemeral' };
    await context.roundtable.submit(context.sessionId!, context.person, { type: 'command', name: 'unmute', options: { persona: persona.id } });
    return { text: t(language, 'unmute.unmuting', { name: persona.displayName }), visibility: 'ephemeral' };
  },
  plan(planner, { person, options }) {
    const persona = planner.persona(options.persona);
    if (!persona || !planner.meta.muted?.includes(persona.id)) return;
    planner.settle({ muted: planner.meta.muted.filter((id) => id !== persona.id) });
    planner.restorePersona(persona.id);
    planner.noticeNext(t(planner.meta.language, 'unmute.post', { name: persona.displayName, by: person.displayName }));
  },
};

export default unmute;
