import { z } from 'zod';
import type { CommandDefinition } from './command.ts';
import { t } from '../src/i18n/translate.ts';

const schema = z.object({});

/**
 * `/pause`: no more automatic turns (the planned rounds are dropped, none are planned) until
 * `/resume`. People's messages are still recorded; one addressed to a persona is still answered
 * by it (src/engine/agenda.ts).
 */
const pause: CommandDefinition<z.infer<typeof schema>> = {
  name: 'pause',
  description: 'Pause the automatic turns; a persona asked by name still answers',
  descriptionIn: { zh: '暂停自动轮流发言；点名提问的嘉宾仍会回答' },
  options: [],
  schema,
  permission: 'starter-or-manager',
  requiresSession: true,
  usages: [{ says: 'no more automatic turns until resumed; a persona asked by name still answers', saysIn: { zh: '恢复之前不再自动发言；点名提问的嘉宾仍会回答' } }],
  hintInSession: true,
  actsImmediately: true,
  async execute(context) {
    await context.roundtable.submit(context.sessionId!, context.person, { type: 'command', name: 'pause', options: {} });
    return { text: t(context.language, 'pause.pausing'), visibility: 'ephemeral' };
  },
  plan(planner, { person }) {
    const already = planner.meta.paused === true;
    planner.dropAutomatic();
    planner.settle({ paused: true });
    if (already) return;
    planner.noticeNext(t(planner.meta.language, 'pause.paused', { name: person.displayName, ask: planner.usage('ask', '<persona> <text>'), resume: planner.usage('resume', '[rounds]') }));
  },
};

export default pause;
