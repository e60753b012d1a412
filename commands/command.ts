/**
 * The platform-neutral command contract. One file per command in this folder exports a
 * `CommandDefinition` as its default export; `load-commands.ts` collects them. Adapters register
 * them with their platform (Discord slash commands, Slack subcommands, terminal `/name`) and run
 * them through `runCommand` (src/commands/run-command.ts), which checks the session, the
 * permission and the options before `execute` is called.
 */
import type { z } from 'zod';
import type { Person } from '../src/adapter/inbound-event.ts';
import type { SessionAddress } from '../src/session/session-id.ts';
import type { RoundtableService } from '../src/engine/roundtable-service.ts';

export interface CommandOptionSpec {
  name: string;
  description: string;
  type: 'string' | 'integer';
  required: boolean;
  /** Strings: maximum length. */
  maxLength?: number;
  /** Integers: bounds. */
  min?: number;
  max?: number;
  choices?: readonly string[];
}

export interface CommandContext {
  roundtable: RoundtableService;
  person: Person;
  /** Where the command was typed: a session thread, or a channel. */
  address: SessionAddress;
  /** The session it acts on (the thread's, or the person's most recent one in the channel). */
  sessionId: string | undefined;
}

export interface CommandReply {
  text: string;
  /** `ephemeral`: only the person sees it (where the platform can); `thread`: posted by the moderator. */
  visibility: 'ephemeral' | 'thread';
  /** Set by `start`: the session the command created. */
  sessionId?: string;
}

export interface CommandDefinition<Options = Record<string, unknown>> {
  name: string;
  description: string;
  options: readonly CommandOptionSpec[];
  /** Validates raw options (strings from a platform) into typed ones; errors name the option. */
  schema: z.ZodType<Options>;
  /** Who may run it. `starter-or-manager`: the session's starter or a channel manager. */
  permission: 'anyone' | 'starter-or-manager';
  /** Whether the command needs an existing session. */
  requiresSession: boolean;
  execute(context: CommandContext, options: Options): Promise<CommandReply>;
}
