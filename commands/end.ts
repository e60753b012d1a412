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
  usages: [{ says: 'end the session with a summary and the transcript' }],
  hintInSession: true,
  async execute(context) {
    await context.roundtable.submit(context.sessionId!, context.person, { type: 'command', name: 'end', options: {} });
    return { text: 'Ending the roundtable: the summary and transcript are coming.', visibility: 'ephemeral' };
  },
  plan(planner, { person }) {
    planner.replaceAll({ kind: 'closing', by: person });
  },
};

export default end;
