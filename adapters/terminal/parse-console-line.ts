/**
 * Turns a line typed at the terminal into a command invocation or a message. Commands come from
 * the one registry (`/name words…`, parsed by src/command-core/command-syntax.ts); `/image <path>` and
 * `/help` are the terminal's own.
 */
import type { CommandRegistry } from '../../src/command-core/command-contract.ts';
import { helpLines, parseCommandWords } from '../../src/command-core/command-syntax.ts';
import { t } from '../../src/i18n/translate.ts';

export type ConsoleLine =
  | { kind: 'message'; text: string }
  | { kind: 'image'; path: string }
  | { kind: 'command'; name: string; options: Record<string, unknown> }
  | { kind: 'help' }
  | { kind: 'unknown'; word: string }
  | { kind: 'empty' };

/** The terminal's help, in the session's language (`language`; English when not given). */
export function consoleHelp(registry: CommandRegistry, language?: string): string {
  return [
    t(language, 'console.help'),
    ...helpLines(registry, { kind: 'slash' }, 'terminal', { language }).filter((line) => !line.startsWith('`/start')).map((line) => `  ${line}`),
    `  ${t(language, 'console.helpImage')}`,
    `  ${t(language, 'console.helpHelp')}`,
  ].join('\n');
}

export function parseConsoleLine(registry: CommandRegistry, line: string): ConsoleLine {
  const text = line.trim();
  if (!text) return { kind: 'empty' };
  if (!text.startsWith('/')) return { kind: 'message', text };
  const words = text.slice(1);
  const [head = ''] = words.split(/\s+/);
  if (head.toLowerCase() === 'image') {
    const path = words.slice(head.length).trim();
    return path ? { kind: 'image', path } : { kind: 'help' };
  }
  const parsed = parseCommandWords(registry, words, 'terminal');
  return parsed.kind === 'command' ? parsed : parsed.kind === 'unknown' ? { kind: 'unknown', word: parsed.word } : { kind: 'help' };
}
