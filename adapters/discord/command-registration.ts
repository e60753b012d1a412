/**
 * Slash-command JSON built from the one command registry: a command's `slashName` names its slash
 * command (`start` is `/roundtable`), and a command `notOn` Discord is not registered (`ballot`:
 * people vote with the poll's buttons).
 */
import { ApplicationCommandOptionType, ApplicationCommandType, type RESTPostAPIChatInputApplicationCommandsJSONBody, type APIApplicationCommandOption } from 'discord.js';
import type { CommandDefinition, CommandOptionSpec } from '../../src/command-core/command-contract.ts';

/** The slash command's name of a command. */
export function slashNameOf(definition: CommandDefinition): string {
  return definition.slashName ?? definition.name;
}

/** The slash command's name of a core command name (for texts that name one). */
export function discordCommandName(coreName: string, definitions: readonly CommandDefinition[]): string {
  const definition = definitions.find((candidate) => candidate.name === coreName);
  return definition ? slashNameOf(definition) : coreName;
}

/** The command a slash command's name stands for (given the registry's definitions). */
export function coreCommandName(discordName: string, definitions: readonly CommandDefinition[]): string {
  return definitions.find((definition) => slashNameOf(definition) === discordName)?.name ?? discordName;
}

export function isSlashCommand(definition: CommandDefinition): boolean {
  return !definition.notOn?.includes('discord');
}

function optionJson(spec: CommandOptionSpec): APIApplicationCommandOption {
  const base = { name: spec.name.toLowerCase().slice(0, 32), description: spec.description.slice(0, 100) || spec.name, required: spec.required };
  const choices = spec.choices?.slice(0, 25);
  if (spec.type === 'attachment') return { ...base, type: ApplicationCommandOptionType.Attachment };
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
    name: slashNameOf(definition),
    description: definition.description.slice(0, 100) || definition.name,
    // Discord requires required options before optional ones.
    options: [...definition.options].sort((left, right) => Number(right.required) - Number(left.required)).map(optionJson),
    dm_permission: false,
    contexts: [0],
  }));
}
