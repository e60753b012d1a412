/**
 * Commands are one file each in this folder, default-exporting a `CommandDefinition` (the
 * contract lives in src/commands/command-contract.ts); `load-commands.ts` collects them.
 */
export type { CommandContext, CommandDefinition, CommandOptionSpec, CommandReply, CommandUsage } from '../src/commands/command-contract.ts';
