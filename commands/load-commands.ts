/**
 * Loads every command file in this folder and keeps the default exports that have the shape of
 * a command (the create-discord-bot loader pattern), so adding a command is adding a file.
 */
import { readdirSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { CommandDefinition } from './command.ts';

const commandShape = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/),
  description: z.string().min(1).max(100),
  options: z.array(z.object({ name: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/), description: z.string().min(1).max(100) }).loose()),
  schema: z.custom<z.ZodType>((value) => value instanceof z.ZodType),
  permission: z.enum(['anyone', 'starter-or-manager']),
  requiresSession: z.boolean(),
  execute: z.custom<CommandDefinition['execute']>((value) => typeof value === 'function'),
});

const here = fileURLToPath(import.meta.url);
const folder = dirname(here);
// `.ts` run by tsx (development, tests), `.js` in the production build (dist/).
const extension = extname(here);
const notCommands = new Set([`command${extension}`, `load-commands${extension}`]);

export async function loadCommands(): Promise<CommandDefinition[]> {
  const files = readdirSync(folder).filter((file) => file.endsWith(extension) && !file.endsWith(`.test${extension}`) && !file.endsWith('.d.ts') && !notCommands.has(file));
  const commands: CommandDefinition[] = [];
  for (const file of files.sort()) {
    const module = (await import(pathToFileURL(join(folder, file)).href)) as { default?: unknown };
    const parsed = commandShape.safeParse(module.default);
    if (!parsed.success) throw new Error(`commands/${file}: default export is not a command (${parsed.error.issues[0]?.message})`);
    commands.push(module.default as CommandDefinition);
  }
  return commands;
}
