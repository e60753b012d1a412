import { z } from 'zod';
import type { CommandDefinition } from './command.ts';

const schema = z.object({});

const end: CommandDefinition<z.infer<typeof schema>> = {
  name: 'end',
  description: 'End the roundtable: summary, transcript, thread archived',
  options: [],
  schema,
  permission: 'starter-or-manager',
  requiresSession: true,
  async execute(context) {
    await context.roundtable.submit(context.sessionId!, context.person, { type: 'end' });
    return { text: 'Ending the roundtable: the summary and transcript are coming.', visibility: 'ephemeral' };
  },
};

export default end;
