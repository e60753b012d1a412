import type { CommandDefinition } from './command.ts';
import { namedPersona, personaOption, personaSchema } from './shared/persona-option.ts';
import { minimumSpeakers } from '../src/engine/speakers.ts';
import { t } from '../src/i18n/translate.ts';

const schema = personaSchema;

/**
 * `/mute <persona>`: the persona is left out of rounds (its planned turns dropped, none planned),
 * replies, image stories, keywords and ballots until `/unmute`; at least two personas keep
 * speaking. Anyone may mute: it steers the discussion like `/ask` or `/vote`, anyone can undo it
 * with `/unmute`, the moderator says in the thread who muted whom, and the two-speaker floor keeps
 * a discussion going — asking the starter each time would only slow people down.
 */
const mute: CommandDefinition<{ persona: string }> = {
  name: 'mute',
  description: 'Leave a persona out of rounds, replies and votes until unmuted',
  descriptionIn: { zh: '让一位嘉宾不再参与轮流发言、回复和投票，直到取消静音' },
  options: [personaOption('The persona to mute (its name)')],
  schema,
  permission: 'anyone',
  requiresSession: true,
  usages: [{ args: '<persona>', says: 'leave a persona out of rounds, replies and votes', saysIn: { zh: '让一位嘉宾不再参与轮流发言、回复和投票' } }],
  actsImmediately: true,
  async execute(context, options) {
    const { language } = context;
    const found = await namedPersona(context, options.persona);
    if ('reply' in found) return found.reply;
    const { persona, status } = found;
    const muted = status.muted ?? [];
    if (muted.some((entry) => entry.id === persona.id)) return { text: t(language, 'mute.already', { name: persona.displayName }), visibility: 'ephemeral' };
    if (status.personas.length - muted.length <= minimumSpeakers) return { text: t(language, 'mute.lastTwo', { name: persona.displayName }), visibility: 'ephemeral' };
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
