import { z } from 'zod';
import type { CommandDefinition } from './command.ts';
import { t } from '../src/i18n/translate.ts';

/** Choices as people type them: "1 3", "1,3" — 1-based, turned into 0-based indexes. */
const schema = z.object({
  choices: z
    .string()
    .trim()
    .max(200)
    .regex(/^[\d\s,]*$/, 'numbers separated by spaces, e.g. "1 3"')
    .transform((text) => text.split(/[\s,]+/).filter(Boolean).map((part) => Number(part) - 1)),
});

const ballot: CommandDefinition<z.infer<typeof schema>> = {
  name: 'ballot',
  description: 'Cast your ballot in the open vote (candidate numbers, e.g. 1 3)',
  descriptionIn: { zh: '在进行中的投票里投票（候选编号，如 1 3）' },
  options: [{ name: 'choices', description: 'Candidate numbers, e.g. "1 3"', type: 'string', required: true, maxLength: 200, text: 'rest' }],
  schema,
  permission: 'anyone',
  usages: [{ args: '<numbers>', says: 'vote for candidates by number, e.g. 1 3', saysIn: { zh: '按编号给候选投票，如 1 3' } }],
  notOn: ['discord'],
  requiresSession: true,
  async execute(context, options) {
    const result = await context.roundtable.submit(context.sessionId!, context.person, { type: 'ballot', choices: options.choices });
    return { text: result.notice ?? t(context.language, 'ballot.counted'), visibility: 'ephemeral' };
  },
};

export default ballot;
