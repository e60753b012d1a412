/**
 * Parses the text after the one top-level slash command (or after `@TableRound` in a mention)
 * into a core command name and raw options. The runner (`runCommand`) validates the options.
 *
 *   start [panel:NAME] [rounds:N] <topic>    vote [open|close]    ballot 1 3
 *   switch    imagine [prompt]    status    end    help
 */
export type ParsedCommandText =
  | { kind: 'help' }
  | { kind: 'command'; name: string; options: Record<string, unknown> }
  | { kind: 'unknown'; word: string };

export const subcommandNames = ['start', 'vote', 'ballot', 'switch', 'imagine', 'status', 'end'] as const;

export function parseCommandText(text: string): ParsedCommandText {
  const trimmed = text.trim();
  const [first = '', ...restWords] = trimmed.split(/\s+/);
  const word = first.toLowerCase();
  const rest = trimmed.slice(first.length).trim();
  switch (word) {
    case '':
    case 'help':
      return { kind: 'help' };
    case 'start':
      return { kind: 'command', name: 'start', options: parseStartOptions(rest) };
    case 'vote': {
      const action = (restWords[0] ?? 'open').toLowerCase();
      return { kind: 'command', name: 'vote', options: { action } };
    }
    case 'ballot':
      return { kind: 'command', name: 'ballot', options: { choices: rest } };
    case 'imagine':
      return { kind: 'command', name: 'imagine', options: rest ? { prompt: rest } : {} };
    case 'switch':
    case 'status':
    case 'end':
      return { kind: 'command', name: word, options: {} };
    default:
      return { kind: 'unknown', word: first };
  }
}

/** `panel:NAME` / `rounds:N` (or `panel=NAME`) at the start, then the topic. */
export function parseStartOptions(text: string): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  let rest = text.trim();
  for (;;) {
    const match = /^(panel|rounds)[:=](\S+)\s*/i.exec(rest);
    if (!match) break;
    const [whole, name = '', value = ''] = match;
    options[name.toLowerCase()] = name.toLowerCase() === 'rounds' && /^\d+$/.test(value) ? Number(value) : value;
    rest = rest.slice(whole.length);
  }
  options.topic = rest.trim();
  return options;
}

export function helpText(command: string): string {
  return [
    '*TableRound* — a panel of AI personas discusses your topic in a thread.',
    `• Mention me with a topic (images welcome): \`@TableRound how should a tea kettle feel?\`, or \`${command} start [panel:NAME] [rounds:N] <topic>\``,
    '• Reply in the thread to take part; the panel answers in its next turn.',
    `• \`${command} vote\` / \`vote close\` · \`ballot 1 3\` · \`switch\` · \`imagine [prompt]\` · \`status\` · \`end\``,
    `• In the channel, \`${command}\` acts on your most recently active session; in a thread, mention me instead: \`@TableRound vote\`.`,
  ].join('\n');
}
