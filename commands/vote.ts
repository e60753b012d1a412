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
  async execute(context, options) {
    const sessionId = context.sessionId!;
    if (options.action === 'close') {
      if (!(await context.roundtable.mayManage(sessionId, context.person))) {
        return { text: 'Only the person who started this roundtable or a manager can close the vote.', visibility: 'ephemeral' };
      }
      await context.roundtable.submit(sessionId, context.person, { type: 'vote-close' });
      return { text: 'Closing the vote…', visibility: 'ephemeral' };
    }
    await context.roundtable.submit(sessionId, context.person, { type: 'vote-open' });
    return { text: 'The panel is gathering keywords for a vote…', visibility: 'ephemeral' };
  },
};

export default vote;
