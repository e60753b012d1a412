import { z } from 'zod';
import type { CommandDefinition } from './command.ts';
import { t } from '../src/i18n/translate.ts';

const schema = z.object({});

const switchRoles: CommandDefinition<z.infer<typeof schema>> = {
  name: 'switch',
  description: 'Give every persona a different role for a round of reflection',
  descriptionIn: { zh: '让每位嘉宾换一个角色，进行一轮反思' },
  options: [],
  schema,
  permission: 'anyone',
  requiresSession: true,
  usages: [{ says: 'every persona takes another role for a round of reflection', saysIn: { zh: '每位嘉宾换一个角色，进行一轮反思' } }],
  hintInSession: true,
  spendsTokens: () => true,
  async execute(context) {
    await context.roundtable.submit(context.sessionId!, context.person, { type: 'command', name: 'switch', options: {} });
    return { text: t(context.language, 'switch.switching'), visibility: 'ephemeral' };
  },
  plan(planner) {
    planner.dropAutomatic();
    planner.append({ kind: 'switch-roles' });
  },
};

export default switchRoles;
