/**
 * Slack's two ways to type a command, both derived from the one command registry
 * (src/command-core/command-syntax.ts): `/roundtable <sub> …` in a channel, and `@TableRound <sub> …`
 * in a thread — Slack does not run slash commands typed in a thread.
 */
import type { CommandRegistry } from '../../src/command-core/command-contract.ts';
import { helpLines, parseCommandWords, type CommandStyle, type ParsedCommand } from '../../src/command-core/command-syntax.ts';

/** How the bot is addressed in a thread (the app's display name in the manifest). */
export const slackMention = '@TableRound';

export const threadCommandStyle: CommandStyle = { kind: 'mention', mention: slackMention };

export function channelCommandStyle(command: string): CommandStyle {
  return { kind: 'subcommand', command };
}

export type ParsedCommandText = ParsedCommand;

/** The words after `/roundtable` or after `@TableRound`. */
export function parseCommandText(registry: CommandRegistry, text: string): ParsedCommandText {
  return parseCommandWords(registry, text, 'slack');
}

export function helpText(registry: CommandRegistry, command: string): string {
  const inChannel = helpLines(registry, channelCommandStyle(command), 'slack').filter((line) => line.startsWith(`\`${command} start`));
  return [
    '*TableRound* — a panel of AI personas discusses your topic in a thread.',
    `• Mention me with a topic (images welcome): \`${slackMention} how should a tea kettle feel?\`, or ${inChannel.join(', ')}`,
    '• Reply in the thread to take part; the panel answers in its next turn.',
    '• In a roundtable thread, mention me with a command (Slack does not run slash commands in threads):',
    ...helpLines(registry, threadCommandStyle, 'slack', { inSessionOnly: true }).map((line) => `    ${line}`),
    `• In the channel, \`${command} <command>\` acts on your most recently active roundtable there.`,
  ].join('\n');
}
