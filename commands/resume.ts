import { z } from 'zod';
import type { CommandDefinition } from './command.ts';
import { t } from '../src/i18n/translate.ts';

const schema = z.object({ rounds: z.coerce.number().int('a whole number').min(1).max(20).optional() });

/** The rounds a resume runs: the ones asked for, else the session's automatic rounds (at least one), within MAX_ROUNDS. */
function roundsFor(asked: number | undefined, autoRounds: number, maxRounds: number): number {
  return Math.min(asked ?? Math.max(1, autoRounds), maxRounds);
}

/** `/resume [rounds]`: automatic turns again — that many rounds, then the usual pause. */
const resume: CommandDefinition<z.infer<typeof schema>> = {
  name: 'resume',
  description: 'Run automatic rounds again (default: the session’s number), then pause',
  descriptionIn: { zh: '重新开始自动轮流发言（默认为本场设定的轮数），之后暂停' },
  options: [{ name: 'rounds', description: 'How many rounds (default: the session’s automatic rounds)', type: 'integer', required: false, min: 1, max: 20 }],
  schema,
  permission: 'starter-or-manager',
  requiresSession: true,
  usages: [{ args: '[rounds]', says: 'automatic rounds again, then a pause', saysIn: { zh: '重新自动轮流发言若干轮，然后暂停' } }],
  hintInSession: true,
  actsImmediately: true,
  spendsTokens: () => true,
  async execute(context, options) {
    const status = await context.roundtable.status(context.sessionId!);
    const maxRounds = status?.maxRounds ?? 5;
    if (options.rounds !== undefined && options.rounds > maxRounds) return { text: t(context.language, 'resume.tooMany', { max: maxRounds }), visibility: 'ephemeral' };
    await context.roundtable.submit(context.sessionId!, context.person, { type: 'command', name: 'resume', options });
    return { text: t(context.language, 'resume.resuming', { rounds: roundsFor(options.rounds, status?.autoRounds ?? 1, maxRounds) }), visibility: 'ephemeral' };
  },
  plan(planner, { options }) {
    planner.dropAutomatic();
    planner.settle({ paused: false });
    planner.appendRounds(roundsFor(options.rounds, planner.meta.autoRounds, planner.maxRounds));
  },
};

export default resume;
