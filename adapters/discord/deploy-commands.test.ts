/**
 * `npm run discord:deploy-commands` against the emulator, which (like an independent
 * Discord-compatible server the bot was run against) answers 500 to the percent-encoded
 * `/users/%40me` that discord-api-types 0.38 builds for `Routes.user('@me')`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordEmulator } from '../../test/discord-emulator/discord-emulator.ts';
import { loadCommands } from '../../commands/load-commands.ts';
import { deployCommands } from './deploy-commands.ts';

describe('deployCommands', () => {
  let emulator: DiscordEmulator;
  beforeAll(async () => {
    emulator = await DiscordEmulator.start();
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('registers the guild commands when only the token is known (application id looked up)', async () => {
    const result = await deployCommands({ token: emulator.token, apiUrl: emulator.apiUrl, applicationId: undefined, guildId: emulator.guildId, commands: await loadCommands() });
    expect(result.scope).toBe(`guild ${emulator.guildId}`);
    expect(result.names).toContain('roundtable');
    const stored = emulator.state.commands.get(emulator.guildId) ?? [];
    expect(stored.map((command) => command.name).sort()).toEqual([...result.names].sort());
    expect(stored.every((command) => command.application_id === emulator.applicationId)).toBe(true);
  });

  it('registers global commands with a configured application id', async () => {
    const result = await deployCommands({ token: emulator.token, apiUrl: emulator.apiUrl, applicationId: emulator.applicationId, guildId: undefined, commands: await loadCommands() });
    expect(result.scope).toBe('global');
    expect(emulator.state.commands.get('global')?.map((command) => command.name)).toEqual(result.names);
  });
});
