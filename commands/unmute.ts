import { z } from 'zod';
import type { CommandDefinition } from './command.ts';
import { findPersona } from '../src/engine/speakers.ts';
import { joinList, t } from '../src/i18n/translate.ts';

const schema = z.object({ persona: z.string().trim().min(1, 'name a persona').max(80) });

/** `/unmute <persona>`: the persona speaks again — in replies and votes, and in the rounds not begun yet. Anyone may, as `/mute`. */
const unmute: CommandDefinition<z.infer<typeof schema>> = {
  name: 'unmute',
  description: 'Let a muted persona speak again',
  descriptionIn: { zh: '让被静音的嘉宾重新发言' },
  options: [{ name: 'persona', description: 'The persona to unmute (its name)', type: 'string', required: true, maxLength: 80, text: 'rest' }],
  schema,
  permission: 'anyone',
  requiresSession: true,
  usages: [{ args: '<persona>', says: 'let a muted persona speak again', saysIn: { zh: '让被静音的嘉宾重新发言' } }],
  actsImmediately: true,
  async execute(context, options) {
    const { language } = context;
    const status = await context.roundtable.status(context.sessionId!);
    const personas = status?.personas ?? [];
    const persona = findPersona(personas, options.persona);
    if (!persona) return { text: t(language, 'ask.unknown', { name: options.persona.slice(0, 40), names: joinList(language, personas.map((candidate) => candidate.displayName)) }), visibility: 'ephemeral' };
    if (!status?.muted?.some((entry) => entry.id === persona.id)) return { text: t(language, 'unmute.notMuted', { name: persona.displayName }), visibility: 'ephemeral' };
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
