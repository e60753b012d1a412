/** Turns a line typed at the terminal into a command invocation or a message. */
export type ConsoleLine =
  | { kind: 'message'; text: string }
  | { kind: 'image'; path: string }
  | { kind: 'command'; name: string; options: Record<string, unknown> }
  | { kind: 'help' }
  | { kind: 'empty' };

export const consoleHelp =
  'Type to join the discussion. Commands: /vote, /ballot <n> [<n>…], /vote close, /switch, /imagine [prompt], /image <path>, /status, /end, /help';

export function parseConsoleLine(line: string): ConsoleLine {
  const text = line.trim();
  if (!text) return { kind: 'empty' };
  if (!text.startsWith('/')) return { kind: 'message', text };
  const [head = '', ...restParts] = text.slice(1).split(/\s+/);
  const rest = restParts.join(' ').trim();
  switch (head.toLowerCase()) {
    case 'vote':
      return { kind: 'command', name: 'vote', options: { action: rest.toLowerCase() === 'close' ? 'close' : rest ? rest.toLowerCase() : 'open' } };
    case 'ballot':
      return { kind: 'command', name: 'ballot', options: { choices: rest } };
    case 'switch':
    case 'status':
    case 'end':
      return { kind: 'command', name: head.toLowerCase(), options: {} };
    case 'imagine':
      return { kind: 'command', name: 'imagine', options: { prompt: rest } };
    case 'image':
      return rest ? { kind: 'image', path: rest } : { kind: 'help' };
    default:
      return { kind: 'help' };
  }
}
