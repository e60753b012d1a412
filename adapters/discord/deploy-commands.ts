/**
 * Registers the slash commands: one guild (instant, for development) when a guild id is given,
 * else globally. A bulk overwrite, so commands removed from `commands/` disappear too.
 *
 * The application id is DISCORD_APPLICATION_ID when configured, else `GET /applications/@me`
 * once. Hazard: discord-api-types 0.38 percent-encodes route arguments, so `Routes.user('@me')`
 * is `/users/%40me`; servers that do not decode it answer 500. The path is written literally
 * (as in bot-user.ts) so no helper can encode it.
 */
import { REST, Routes, type APIApplication } from 'discord.js';
import type { CommandDefinition } from '../../commands/command.ts';
import { buildCommandRegistrations } from './command-registration.ts';

export interface DeployOptions {
  token: string;
  apiUrl: string;
  applicationId: string | undefined;
  guildId: string | undefined;
  commands: readonly CommandDefinition[];
}

/** Literal on purpose: see the hazard above. */
const currentApplicationPath = '/applications/@me';

export async function deployCommands(options: DeployOptions): Promise<{ scope: string; names: string[] }> {
  const rest = new REST({ api: options.apiUrl }).setToken(options.token);
  const applicationId = options.applicationId ?? ((await rest.get(currentApplicationPath)) as APIApplication).id;
  const body = buildCommandRegistrations(options.commands);
  const route = options.guildId ? Routes.applicationGuildCommands(applicationId, options.guildId) : Routes.applicationCommands(applicationId);
  const registered = (await rest.put(route, { body })) as { name: string }[];
  return { scope: options.guildId ? `guild ${options.guildId}` : 'global', names: registered.map((command) => command.name) };
}
