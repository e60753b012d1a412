import { z } from 'zod';
import type { CommandDefinition } from './command.ts';
import { findPersona, minimumSpeakers } from '../src/engine/speakers.ts';
import { joinList, t } from '../src/i18n/translate.ts';

const schema = z.object({ persona: z.string().trim().min(1, 'name a persona').max(80) });

/**
 * `/mute <persona>`: the persona is left out of rounds (its planned turns dropped, none planned),
 * replies, image stories, keywords and ballots until `/unmute`; at least two personas keep
 * speaking. Anyone may mute: it steers the discussion like `/ask` or `/vote`, anyone can undo it
 * with `/unmute`, the moderator says in the thread who muted whom, and the two-speaker floor keeps
 * a discussion going — asking the starter each time would only slow people down.
 */
const mute: CommandDefinition<z.infer<typeof schema>> = {
  name: 'mute',
  description: 'Leave a persona out of rounds, replies and votes until unmuted',
  descriptionIn: { zh: '让一位嘉宾不再参与轮流发言、回复和投票，直到取消静音' },
  options: [{ name: 'persona', description: 'The persona to mute (its name)', type: 'string', required: true, maxLength: 80, text: 'rest' }],
  schema,
  permission: 'anyone',
  requiresSession: true,
  usages: [{ args: '<persona>', says: 'leave a persona out of rounds, replies and votes', saysIn: { zh: '让一位嘉宾不再参与轮流发言、回复和投票' } }],
  actsImmediately: true,
  async execute(context, options) {
    const { language } = context;
    const status = await context.roundtable.status(context.sessionId!);
    const personas = status?.personas ?? [];
    const persona = findPersona(personas, options.persona);
    if (!persona) return { text: t(language, 'ask.unknown', { name: options.persona.slice(0, 40), names: joinList(language, personas.map((candidate) => candidate.displayName)) }), visibility: 'ephemeral' };
    const muted = status?.muted ?? [];
    if (muted.some((entry) => entry.id === persona.id)) return { text: t(language, 'mute.already', { name: persona.displayName }), visibility: 'ephemeral' };
    if (personas.length - muted.length <= minimumSpeakers) return { text: t(language, 'mute.lastTwo', { name: persona.displayName }), visibility: 'ephemeral' };
    await context.roundtable.submit(context.sessionId!, context.person, { type: 'command', name: 'mute', options: { persona: persona.id } });
    return { text: t(language, 'mute.muting', { name: persona.displayName }), visibility: 'ephemeral' };
  },
  plan(planner, { person, options }) {
    const persona = planner.persona(options.persona);
    if (!persona || planner.meta.muted?.includes(persona.id)) return;
    const { language } = planner.meta;
    // Checked again here: two mutes that raced each passed the check above.
    if (planner.speakers().length <= minimumSpeakers) {
      planner.noticeNext(t(language, 'mute.lastTwo', { name: persona.displayName }));
      return;
    }
    planner.settle({ muted: [...(planner.meta.muted ?? []), persona.id] });
    planner.dropPersona(persona.id);
    planner.noticeNext(t(language, 'mute.post', { name: persona.displayName, by: person.displayName, unmute: planner.usage('unmute', '<persona>') }));
  },
};

export default mute;
