/**
 * The one command registry's contract. A command is one file in `commands/` that declares its
 * name, options, permission, the ways it is used (for every help text and hint) and what it asks
 * of the engine; Discord's slash commands, Slack's `/roundtable <sub>` and `@TableRound <sub>`, the
 * terminal's `/name` and every help text are derived from it (command-syntax.ts), so the surfaces
 * never disagree. The app loads `commands/` and hands the list to the core; nothing in `src/`
 * imports `commands/`.
 */
import type { z } from 'zod';
import type { Person } from '../adapter/inbound-event.ts';
import type { SessionAddress } from '../session/session-id.ts';
import type { RoundtableService } from '../engine/roundtable-service.ts';
import type { AgendaPlanner } from '../engine/agenda-planner.ts';

export interface CommandOptionSpec {
  name: string;
  description: string;
  /**
   * `attachment`: a file the person attaches (Discord's attachment option; on Slack a file shared
   * with the mention that runs the command; none in the terminal). Never typed: its value is the
   * adapter's `ImageReference` to the file, as JSON.
   */
  type: 'string' | 'integer' | 'attachment';
  required: boolean;
  /** Strings: maximum length. */
  maxLength?: number;
  /** Integers: bounds. */
  min?: number;
  max?: number;
  choices?: readonly string[];
  /**
   * How the option is written in text (Slack, an @mention, the terminal): `word` — the next word
   * (the default); `rest` — all the text that remains; `named` — `name:value`, before the words.
   */
  text?: 'word' | 'rest' | 'named';
}

/** Wording in other languages than English, by base language code (`{ zh: '…' }`); English is the plain field. */
export type InLanguages = Readonly<Partial<Record<string, string>>>;

/** One way to use a command: the words after its name, and what it does. */
export interface CommandUsage {
  /** Words after the command's name, with placeholders in <> and optional parts in [] (`close`, `[prompt]`). */
  args?: string;
  says: string;
  /** `says` in other languages (help texts in a session that speaks one); missing ones fall back to English. */
  saysIn?: InLanguages;
}

export interface CommandContext {
  roundtable: RoundtableService;
  person: Person;
  /** Where the command was typed: a session thread, or a channel. */
  address: SessionAddress;
  /** The session it acts on (the thread's, or the person's most recent one in the channel). */
  sessionId: string | undefined;
  /** The language to answer in: the session's (`zh`, `en` …), `en` outside a session. */
  language: string;
}

export interface CommandReply {
  text: string;
  /** `ephemeral`: only the person sees it (where the platform can); `thread`: posted by the moderator. */
  visibility: 'ephemeral' | 'thread';
  /** Set by `start`: the session the command created. */
  sessionId?: string;
  /**
   * What the person may answer next (a draft's Save / Regenerate / Cancel): buttons on Discord
   * and Slack that run `command` with `options` as whoever presses them (the command checks who
   * may); in the terminal the next line typed as `typed` does.
   */
  choices?: ReplyChoice[];
  /**
   * A form to fill (a persona's fields): answering a choice's button with it opens it as a modal
   * on Discord and Slack; its submission runs `form.command` with `form.options` plus `form`, the
   * fields' values as JSON. Where no form can open, the person reads `text`.
   */
  form?: ReplyForm;
}

export interface ReplyForm {
  title: string;
  command: string;
  options: Record<string, string>;
  /** At most five (Discord's modal); ids are the keys of the submitted JSON. */
  fields: { id: string; label: string; value: string; multiline: boolean; maxLength: number }[];
}

export interface ReplyChoice {
  label: string;
  /** The word that answers it in the terminal (`save`, `again`, `cancel`). */
  typed: string;
  command: string;
  /** Short strings only: a button carries them (Discord's custom_id is 100 characters). */
  options: Record<string, string>;
  style?: 'primary' | 'secondary' | 'danger';
}

/** The surfaces a command can be typed on. */
export type Surface = 'discord' | 'slack' | 'terminal';

export interface CommandDefinition<Options = Record<string, unknown>> {
  name: string;
  description: string;
  /** `description` in other languages, as `saysIn`. */
  descriptionIn?: InLanguages;
  options: readonly CommandOptionSpec[];
  /** Validates raw options (strings from a platform) into typed ones; errors name the option. */
  schema: z.ZodType<Options>;
  /** Who may run it. `starter-or-manager`: the session's starter or a manager of the platform. */
  permission: 'anyone' | 'starter-or-manager';
  /** Whether the command needs an existing session. */
  requiresSession: boolean;
  /** Every way to use it: help texts and hints list these, in each surface's own syntax (default: its name alone, saying its description). */
  usages?: readonly CommandUsage[];
  /** Offered to people inside a session (the moderator's hints list it). */
  hintInSession?: boolean;
  /**
   * It steers what runs now (`/stop`, `/pause` …): a scripted terminal session (stdin a pipe)
   * hands it over as soon as it is read, while people's messages and other commands wait until
   * the panel is idle, as if a person read the posts before typing.
   */
  actsImmediately?: boolean;
  /** Surfaces that do not offer it (Discord votes with buttons: no ballot command there). */
  notOn?: readonly Surface[];
  /** Whether this request makes the panel call a model (refused once the session spent its budget). */
  spendsTokens?(options: Options): boolean;
  /** The Discord slash command's name when it is not `name` (start → /roundtable). */
  slashName?: string;
  /** Runs it (the session, permission and options are checked first, by the runner). */
  execute(context: CommandContext, options: Options): Promise<CommandReply>;
  /**
   * What it asks of the engine once its request reaches the session, in arrival order (through
   * the inbox, in the worker): how the session's plan changes. Pure: no I/O.
   */
  plan?(planner: AgendaPlanner, request: { person: Person; options: Options }): void;
}

/** The registry as the core holds it. */
export type CommandRegistry = ReadonlyMap<string, CommandDefinition>;

export function commandRegistry(commands: readonly CommandDefinition[]): CommandRegistry {
  const registry = new Map<string, CommandDefinition>();
  for (const command of commands) {
    if (registry.has(command.name)) throw new Error(`command "${command.name}" is defined twice`);
    registry.set(command.name, command);
  }
  return registry;
}

/** A command's usages, or its name alone saying its description. */
export function usagesOf(command: CommandDefinition): readonly CommandUsage[] {
  return command.usages ?? [{ says: command.description, ...(command.descriptionIn ? { saysIn: command.descriptionIn } : {}) }];
}
