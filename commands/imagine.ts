import { z } from 'zod';
import type { CommandDefinition } from './command.ts';
import { t } from '../src/i18n/translate.ts';

const schema = z.object({ prompt: z.string().trim().max(600, 'at most 600 characters').default('') });

const imagine: CommandDefinition<z.infer<typeof schema>> = {
  name: 'imagine',
  description: 'Generate concept images from the topic, the voted keywords and your words',
  descriptionIn: { zh: '根据话题、投票选出的关键词和你的描述生成概念图' },
  options: [{ name: 'prompt', description: 'What you would like to see', type: 'string', required: false, maxLength: 600, text: 'rest' }],
  schema,
  permission: 'anyone',
  requiresSession: true,
  usages: [{ args: '[prompt]', says: 'concept images from the topic, the voted keywords and your words', saysIn: { zh: '根据话题、投票选出的关键词和你的描述生成概念图' } }],
  hintInSession: true,
  spendsTokens: () => true,
  async execute(context, options) {
    await context.roundtable.submit(context.sessionId!, context.person, { type: 'command', name: 'imagine', options });
    return { text: t(context.language, 'imagine.coming'), visibility: 'ephemeral' };
  },
  plan(planner, { person, options }) {
    planner.append({ kind: 'imagine', prompt: options.prompt, from: person });
  },
};

export default imagine;
