import { z } from 'zod';
import type { CommandDefinition } from './command.ts';
import { t } from '../src/i18n/translate.ts';

const schema = z.object({ action: z.enum(['open', 'close']).default('open') });

const vote: CommandDefinition<z.infer<typeof schema>> = {
  name: 'vote',
  description: 'Open a vote on the keywords the panel drew out, or close it',
  descriptionIn: { zh: '就嘉宾们提炼的关键词发起投票，或结束投票' },
  options: [{ name: 'action', description: 'open (default) or close', type: 'string', required: false, choices: ['open', 'close'] }],
  schema,
  permission: 'anyone',
  requiresSession: true,
  usages: [
    { says: 'the panel draws out keywords and everyone votes', saysIn: { zh: '嘉宾们提炼关键词，大家一起投票' } },
    { args: 'close', says: 'close the vote and show the result', saysIn: { zh: '结束投票并公布结果' } },
  ],
  hintInSession: true,
  spendsTokens: (options) => options.action !== 'close',
  async execute(context, options) {
    const sessionId = context.sessionId!;
    if (options.action === 'close' && !(await context.roundtable.mayManage(sessionId, context.person))) {
      return { text: t(context.language, 'vote.closeManagersOnly'), visibility: 'ephemeral' };
    }
    await context.roundtable.submit(sessionId, context.person, { type: 'command', name: 'vote', options });
    return { text: t(context.language, options.action === 'close' ? 'vote.closing' : 'vote.gathering'), visibility: 'ephemeral' };
  },
  plan(planner, { person, options }) {
    if (options.action === 'close') {
      planner.append({ kind: 'poll-close', by: person });
      return;
    }
    if (planner.pollOpen || planner.has('poll-open') || planner.has('keywords')) {
      planner.notice(t(planner.meta.language, 'vote.alreadyOpen'));
      return;
    }
    // A vote takes over from the rest of the automatic discussion; muted personas neither propose nor vote.
    planner.dropAutomatic();
    const speakers = planner.speakers();
    for (const persona of speakers) planner.append({ kind: 'keywords', personaId: persona.id });
    planner.append({ kind: 'poll-open' });
    for (const persona of speakers) planner.append({ kind: 'persona-ballot', personaId: persona.id });
  },
};

export default vote;
