import { z } from 'zod';
import type { CommandDefinition } from './command.ts';
import type { StartRequest } from '../src/adapter/inbound-event.ts';
import { t } from '../src/i18n/translate.ts';

const schema = z.object({
  topic: z.string().trim().min(1, 'give a topic').max(500, 'at most 500 characters'),
  panel: z.string().trim().max(40).optional(),
  rounds: z.coerce.number().int('a whole number').min(0).max(20).optional(),
  /** A session preset in prompts/presets/ (quick, standard, deep); the roundtable refuses one it does not have, naming those it has. */
  preset: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9-]{1,40}$/, 'a preset name such as quick, standard or deep')
    .optional(),
});

const start: CommandDefinition<z.infer<typeof schema>> = {
  name: 'start',
  description: 'Start a roundtable on a topic in a new thread',
  descriptionIn: { zh: '就一个话题在新的讨论串里开始圆桌' },
  options: [
    { name: 'topic', description: 'What the panel should discuss', type: 'string', required: true, maxLength: 500, text: 'rest' },
    { name: 'panel', description: 'Panel (persona pack), e.g. design-workshop', type: 'string', required: false, maxLength: 40, text: 'named' },
    { name: 'rounds', description: 'Automatic discussion rounds before the panel pauses', type: 'integer', required: false, min: 0, max: 20, text: 'named' },
    { name: 'preset', description: 'quick (3 panelists, 1 short round), standard, or deep (more and longer rounds)', type: 'string', required: false, maxLength: 40, text: 'named' },
  ],
  schema,
  permission: 'anyone',
  usages: [
    { args: '[panel:NAME] [rounds:N] <topic>', says: 'start a roundtable on a topic', saysIn: { zh: '就一个话题开始圆桌' } },
    { args: 'preset:NAME <topic>', says: 'start a quick, standard or deep roundtable', saysIn: { zh: '以快速（quick）、标准（standard）或深入（deep）模式开始圆桌' } },
  ],
  slashName: 'roundtable',
  requiresSession: false,
  async execute(context, options) {
    const request: StartRequest = {
      address: context.address,
      person: context.person,
      topic: options.topic,
      ...(options.panel ? { panel: options.panel } : {}),
      ...(options.rounds === undefined ? {} : { rounds: options.rounds }),
      ...(options.preset ? { preset: options.preset } : {}),
    };
    const { sessionId, language } = await context.roundtable.start(request);
    return { text: t(language, 'start.started', { topic: options.topic }), visibility: 'ephemeral', sessionId };
  },
};

export default start;
