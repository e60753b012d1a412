import { describe, expect, it } from 'vitest';
import { commandRegistry } from '../../src/command-core/command-contract.ts';
import { loadCommands } from '../../commands/load-commands.ts';
import { helpText, parseCommandText } from './command-text.ts';

const registry = commandRegistry(await loadCommands());
const parse = (text: string) => parseCommandText(registry, text);

describe('Slack command text (derived from the registry)', () => {
  it('parses subcommands and their options', () => {
    expect(parse('')).toEqual({ kind: 'help' });
    expect(parse('start panel:design-workshop rounds:2 A kettle for the elderly')).toEqual({
      kind: 'command',
      name: 'start',
      options: { panel: 'design-workshop', rounds: '2', topic: 'A kettle for the elderly' },
    });
    expect(parse('vote')).toEqual({ kind: 'command', name: 'vote', options: {} });
    expect(parse('Vote Close')).toEqual({ kind: 'command', name: 'vote', options: { action: 'close' } });
    expect(parse('ballot 1 3')).toEqual({ kind: 'command', name: 'ballot', options: { choices: '1 3' } });
    expect(parse('imagine')).toEqual({ kind: 'command', name: 'imagine', options: {} });
    expect(parse('imagine a red kettle')).toEqual({ kind: 'command', name: 'imagine', options: { prompt: 'a red kettle' } });
    expect(parse('end')).toEqual({ kind: 'command', name: 'end', options: {} });
    expect(parse('how should a kettle feel?')).toEqual({ kind: 'unknown', word: 'how' });
  });

  it('helps with the syntax that works on Slack: a subcommand in the channel, a mention in a thread', () => {
    const help = helpText(registry, '/roundtable');
    expect(help).toContain('`/roundtable start [panel:NAME] [rounds:N] <topic>`');
    expect(help).toContain('`@TableRound vote close`');
    expect(help).toContain('`@TableRound end`');
    expect(help).not.toMatch(/`\/vote/);
  });
});
