/**
 * Every text form of a command, derived from the one registry (command-contract.ts): parsing the
 * words people type (Slack `/roundtable <sub> …`, `@TableRound <sub> …`, the terminal's `/name …`)
 * and rendering each usage in the syntax that works where it is shown — so help texts, the
 * moderator's hints and the parsers never disagree. Help lines speak the session's language where
 * the command's file says it (`saysIn`), English otherwise; the typed syntax never changes.
 */
import { usagesOf, type CommandDefinition, type CommandOptionSpec, type CommandRegistry, type CommandUsage, type Surface } from './command-contract.ts';
import { baseLanguage } from '../i18n/translate.ts';

/** How commands are typed on a surface. */
export type CommandStyle =
  /** The terminal: `/vote close`. */
  | { kind: 'slash' }
  /** Discord slash commands with named options: `/vote action:close`. */
  | { kind: 'slash-options' }
  /** A subcommand of one slash command (Slack, in a channel): `/roundtable vote close`. */
  | { kind: 'subcommand'; command: string }
  /** Addressing the bot in a thread (Slack: slash commands do not run in threads): `@TableRound vote close`. */
  | { kind: 'mention'; mention: string };

export type ParsedCommand = { kind: 'help' } | { kind: 'command'; name: string; options: Record<string, unknown> } | { kind: 'unknown'; word: string };

function offeredOn(command: CommandDefinition, surface: Surface): boolean {
  return !command.notOn?.includes(surface);
}

const textOf = (option: CommandOptionSpec) => option.text ?? 'word';

/**
 * Parses `name [named:value…] [words…]` against the registry: `named` options first (`panel:x`,
 * `rounds=2`), then the others in declaration order, a `rest` option taking what remains. Option
 * values stay strings: the command's schema validates and coerces them.
 */
export function parseCommandWords(registry: CommandRegistry, text: string, surface: Surface): ParsedCommand {
  const trimmed = text.trim();
  const [first = ''] = trimmed.split(/\s+/);
  const word = first.toLowerCase();
  if (word === '' || word === 'help') return { kind: 'help' };
  const command = registry.get(word);
  if (!command || !offeredOn(command, surface)) return { kind: 'unknown', word: first };
  let rest = trimmed.slice(first.length).trim();
  const options: Record<string, unknown> = {};
  const named = new Map(command.options.filter((option) => textOf(option) === 'named').map((option) => [option.name, option]));
  for (;;) {
    const match = /^([a-z][\w-]*)[:=](\S+)\s*/i.exec(rest);
    const option = match ? named.get(match[1]!.toLowerCase()) : undefined;
    if (!match || !option) break;
    options[option.name] = match[2];
    rest = rest.slice(match[0].length);
  }
  for (const option of command.options) {
    if (textOf(option) === 'named' || option.type === 'attachment' || !rest) continue;
    if (textOf(option) === 'rest') {
      options[option.name] = rest;
      rest = '';
      continue;
    }
    const [next = ''] = rest.split(/\s+/);
    options[option.name] = option.choices ? next.toLowerCase() : next;
    rest = rest.slice(next.length).trim();
  }
  return { kind: 'command', name: command.name, options };
}

/** The usage's words with each option named (`action:close`, `[prompt:…]`), for Discord. */
function namedArguments(command: CommandDefinition, usage: CommandUsage): string {
  const positional = command.options.filter((option) => textOf(option) !== 'named' && option.type !== 'attachment');
  const parts: string[] = [];
  let next = 0;
  for (const token of (usage.args ?? '').split(/\s+/).filter(Boolean)) {
    const optional = token.startsWith('[');
    const bare = token.replace(/^[[<]|[\]>]$/g, '');
    const keyed = /^([a-z][\w-]*):/i.exec(bare);
    if (keyed) {
      parts.push(optional ? `[${keyed[1]}:…]` : `${keyed[1]}:…`);
      continue;
    }
    const option = positional[next++];
    if (!option) continue;
    const placeholder = token.startsWith('[') || token.startsWith('<');
    const value = placeholder ? '…' : bare;
    parts.push(optional ? `[${option.name}:${value}]` : `${option.name}:${value}`);
  }
  return parts.join(' ');
}

/** One usage, written as it is typed in `style`. */
export function renderUsage(command: CommandDefinition, usage: CommandUsage, style: CommandStyle): string {
  const words = usage.args ? ` ${usage.args}` : '';
  switch (style.kind) {
    case 'slash':
      return `/${command.name}${words}`;
    case 'subcommand':
      return `${style.command} ${command.name}${words}`;
    case 'mention':
      return `${style.mention} ${command.name}${words}`;
    case 'slash-options': {
      const named = namedArguments(command, usage);
      return `/${command.slashName ?? command.name}${named ? ` ${named}` : ''}`;
    }
  }
}

/** What a usage does, in `language` when its command says it there, else in English. */
export function usageSays(usage: CommandUsage, language: string | undefined): string {
  return usage.saysIn?.[baseLanguage(language)] ?? usage.says;
}

/** Every usage of every command offered on the surface: "`/vote close` — close the vote…". */
export function helpLines(registry: CommandRegistry, style: CommandStyle, surface: Surface, options: { inSessionOnly?: boolean; language?: string } = {}): string[] {
  const lines: string[] = [];
  for (const command of registry.values()) {
    if (!offeredOn(command, surface) || (options.inSessionOnly && !command.hintInSession)) continue;
    for (const usage of usagesOf(command)) lines.push(`\`${renderUsage(command, usage, style)}\` — ${usageSays(usage, options.language)}`);
  }
  return lines;
}

/** The short list the moderator shows in a session: "`/vote`, `/vote close`, `/switch`, …". */
export function sessionHints(registry: CommandRegistry, style: CommandStyle, surface: Surface): string {
  const hints: string[] = [];
  for (const command of registry.values()) {
    if (!command.hintInSession || !offeredOn(command, surface)) continue;
    for (const usage of usagesOf(command)) hints.push(`\`${renderUsage(command, usage, style)}\``);
  }
  return hints.join(', ');
}
