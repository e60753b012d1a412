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
  async execute(context) {
    await context.roundtable.submit(context.sessionId!, context.person, { type: 'switch' });
    return { text: 'Switching roles…', visibility: 'ephemeral' };
  },
};

export default switchRoles;
