/**
 * Slash-command JSON built from the platform-neutral command definitions (one source of truth).
 * `start` is exposed as `/roundtable`; `ballot` is not a slash command on Discord (people vote
 * with the poll's buttons).
 */
import { ApplicationCommandOptionType, ApplicationCommandType, type RESTPostAPIChatInputApplicationCommandsJSONBody, type APIApplicationCommandOption } from 'discord.js';
import type { CommandDefinition, CommandOptionSpec } from '../../commands/command.ts';

const discordNames: Record<string, string> = { start: 'roundtable' };
const notSlashCommands = new Set(['ballot']);

export function discordCommandName(coreName: string): string {
  return discordNames[coreName] ?? coreName;
}

export function coreCommandName(discordName: string): string {
  return Object.entries(discordNames).find(([, name]) => name === discordName)?.[0] ?? discordName;
}

export function isSlashCommand(definition: CommandDefinition): boolean {
  return !notSlashCommands.has(definition.name);
}

function optionJson(spec: CommandOptionSpec): APIApplicationCommandOption {
  const base = { name: spec.name.toLowerCase().slice(0, 32), description: spec.description.slice(0, 100) || spec.name, required: spec.required };
  const choices = spec.choices?.slice(0, 25);
  if (spec.type === 'integer') {
    return {
      ...base,
      type: ApplicationCommandOptionType.Integer,
      ...(spec.min !== undefined ? { min_value: spec.min } : {}),
      ...(spec.max !== undefined ? { max_value: spec.max } : {}),
      ...(choices ? { choices: choices.map((choice) => ({ name: choice, value: Number(choice) })) } : {}),
    };
  }
  return {
    ...base,
    type: ApplicationCommandOptionType.String,
    ...(spec.maxLength !== undefined ? { max_length: Math.min(spec.maxLength, 6000) } : {}),
    ...(choices ? { choices: choices.map((choice) => ({ name: choice, value: choice })) } : {}),
  };
}

export function buildCommandRegistrations(definitions: readonly CommandDefinition[]): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return definitions.filter(isSlashCommand).map((definition) => ({
    type: ApplicationCommandType.ChatInput,
    name: discordCommandName(definition.name),
    description: definition.description.slice(0, 100) || definition.name,
    // Discord requires required options before optional ones.
    options: [...definition.options].sort((left, right) => Number(right.required) - Number(left.required)).map(optionJson),
    dm_permission: false,
    contexts: [0],
  }));
}
