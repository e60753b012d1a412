/**
 * Registers the slash commands: one guild (instant, for development) when a guild id is given,
 * else globally. A bulk overwrite, so commands removed from `commands/` disappear too.
 */
import { REST, Routes, type APIUser } from 'discord.js';
import type { CommandDefinition } from '../../commands/command.ts';
import { buildCommandRegistrations } from './command-registration.ts';

export interface DeployOptions {
  token: string;
  apiUrl: string;
  applicationId: string | undefined;
  guildId: string | undefined;
  commands: readonly CommandDefinition[];
}

export async function deployCommands(options: DeployOptions): Promise<{ scope: string; names: string[] }> {
  const rest = new REST({ api: options.apiUrl }).setToken(options.token);
  const applicationId = options.applicationId ?? ((await rest.get(Routes.user('@me'))) as APIUser).id;
  const body = buildCommandRegistrations(options.commands);
  const route = options.guildId ? Routes.applicationGuildCommands(applicationId, options.guildId) : Routes.applicationCommands(applicationId);
  const registered = (await rest.put(route, { body })) as { name: string }[];
  return { scope: options.guildId ? `guild ${options.guildId}` : 'global', names: registered.map((command) => command.name) };
}
