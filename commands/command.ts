/**
 * Commands are one file each in this folder, default-exporting a `CommandDefinition` (the
 * contract lives in src/command-core/command-contract.ts); `load-commands.ts` collects them.
 */
export type { CommandContext, CommandDefinition, CommandOptionSpec, CommandReply, CommandUsage } from '../src/command-core/command-contract.ts';
