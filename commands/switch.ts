import { z } from 'zod';
import type { CommandDefinition } from './command.ts';

const schema = z.object({});

const switchRoles: CommandDefinition<z.infer<typeof schema>> = {
  name: 'switch',
  description: 'Give every persona a different role for a round of reflection',
  options: [],
  schema,
  permission: 'anyone',
  requiresSession: true,
  usages: [{ says: 'every persona takes another role for a round of reflection' }],
  hintInSession: true,
  spendsTokens: () => true,
  async execute(context) {
    await context.roundtable.submit(context.sessionId!, context.person, { type: 'command', name: 'switch', options: {} });
    return { text: 'Switching roles…', visibility: 'ephemeral' };
  },
  plan(planner) {
    planner.dropAutomatic();
    planner.append({ kind: 'switch-roles' });
  },
};

export default switchRoles;
