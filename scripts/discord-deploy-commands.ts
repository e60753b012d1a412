/**
 * Registers TableRound's slash commands with Discord: `npm run discord:deploy-commands`.
 * DISCORD_GUILD_ID set → that guild only (appears instantly); unset → global (may take up to an
 * hour to appear). Uses DISCORD_TOKEN, DISCORD_APPLICATION_ID (optional) and DISCORD_API_URL.
 */
import { loadConfig } from '../src/config/load-config.ts';
import { loadCommands } from '../commands/load-commands.ts';
import { deployCommands } from '../adapters/discord/deploy-commands.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.DISCORD_TOKEN) throw new Error('DISCORD_TOKEN is not set: put the bot token in the environment or .env');
  const result = await deployCommands({
    token: config.DISCORD_TOKEN,
    apiUrl: config.DISCORD_API_URL,
    applicationId: config.DISCORD_APPLICATION_ID,
    guildId: config.DISCORD_GUILD_ID,
    commands: await loadCommands(),
  });
  console.log(`Registered ${result.names.length} commands (${result.scope}): ${result.names.map((name) => `/${name}`).join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
