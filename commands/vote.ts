import { z } from 'zod';
import type { CommandDefinition } from './command.ts';

const schema = z.object({ action: z.enum(['open', 'close']).default('open') });

const vote: CommandDefinition<z.infer<typeof schema>> = {
  name: 'vote',
  description: 'Open a vote on the keywords the panel drew out, or close it',
  options: [{ name: 'action', description: 'open (default) or close', type: 'string', required: false, choices: ['open', 'close'] }],
  schema,
  permission: 'anyone',
  requiresSession: true,
  usages: [
    { says: 'the panel draws out keywords and everyone votes' },
    { args: 'close', says: 'close the vote and show the result' },
  ],
  hintInSession: true,
  spendsTokens: (options) => options.action !== 'close',
  async execute(context, options) {
    const sessionId = context.sessionId!;
    if (options.action === 'close' && !(await context.roundtable.mayManage(sessionId, context.person))) {
      return { text: 'Only the person who started this roundtable or a manager can close the vote.', visibility: 'ephemeral' };
    }
    await context.roundtable.submit(sessionId, context.person, { type: 'command', name: 'vote', options });
    return { text: options.action === 'close' ? 'Closing the vote…' : 'The panel is gathering keywords for a vote…', visibility: 'ephemeral' };
  },
  plan(planner, { person, options }) {
    if (options.action === 'close') {
      planner.append({ kind: 'poll-close', by: person });
      return;
    }
    if (planner.pollOpen || planner.has('poll-open') || planner.has('keywords')) {
      planner.notice('A vote is already open or being prepared.');
      return;
    }
    // A vote takes over from the rest of the automatic discussion.
    planner.dropAutomatic();
    for (const persona of planner.panel.personas) planner.append({ kind: 'keywords', personaId: persona.id });
    planner.append({ kind: 'poll-open' });
    for (const persona of planner.panel.personas) planner.append({ kind: 'persona-ballot', personaId: persona.id });
  },
};

export default vote;
