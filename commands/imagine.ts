import { z } from 'zod';
import type { CommandDefinition } from './command.ts';

const schema = z.object({ prompt: z.string().trim().max(600, 'at most 600 characters').default('') });

const imagine: CommandDefinition<z.infer<typeof schema>> = {
  name: 'imagine',
  description: 'Generate concept images from the topic, the voted keywords and your words',
  options: [{ name: 'prompt', description: 'What you would like to see', type: 'string', required: false, maxLength: 600 }],
  schema,
  permission: 'anyone',
  requiresSession: true,
  async execute(context, options) {
    await context.roundtable.submit(context.sessionId!, context.person, { type: 'imagine', prompt: options.prompt });
    return { text: 'Concept images are on their way…', visibility: 'ephemeral' };
  },
};

export default imagine;
