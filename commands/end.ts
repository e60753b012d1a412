import { z } from 'zod';
import type { CommandDefinition } from './command.ts';
import { t } from '../src/i18n/translate.ts';
import { isIdleCloser } from '../src/pipeline/idle-closer.ts';

const schema = z.object({
  /**
   * Set only by the idle closer (src/pipeline/idle-closer.ts), never typed by a person (no surface
   * offers it): the `meta.updatedAt` it found the session idle since.
   */
  idleSince: z.coerce.number().optional(),
});

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
  plan(planner, { person, options }) {
    // An idle close decided on a session that has committed anything since is void: it woke up.
    // (The options come from the inbox as plain JSON, so they are read through the schema here.)
    if (isIdleCloser(person) && schema.safeParse(options).data?.idleSince !== planner.meta.updatedAt) return;
    planner.replaceAll({ kind: 'closing', by: person });
  },
};

export default end;
