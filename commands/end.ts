import { z } from 'zod';
import type { CommandDefinition } from './command.ts';
import { t } from '../src/i18n/translate.ts';

const schema = z.object({});

const end: CommandDefinition<z.infer<typeof schema>> = {
  name: 'end',
  description: 'End the roundtable: summary, transcript, thread archived',
  descriptionIn: { zh: '结束圆桌：总结、完整记录、归档讨论串' },
  options: [],
  schema,
  permission: 'starter-or-manager',
  requiresSession: true,
  usages: [{ says: 'end the session with a summary and the transcript', saysIn: { zh: '结束本场圆桌，给出总结和完整记录' } }],
  hintInSession: true,
  async execute(context) {
    await context.roundtable.submit(context.sessionId!, context.person, { type: 'command', name: 'end', options: {} });
    return { text: t(context.language, 'end.ending'), visibility: 'ephemeral' };
  },
  plan(planner, { person }) {
    planner.replaceAll({ kind: 'closing', by: person });
  },
};

export default end;
