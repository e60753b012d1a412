import { describe, expect, it } from 'vitest';
import { parseCommandText } from './command-text.ts';

describe('parseCommandText', () => {
  it('maps subcommands to core commands and options', () => {
    expect(parseCommandText('')).toEqual({ kind: 'help' });
    expect(parseCommandText('start panel:design-workshop rounds:2 A kettle for the elderly')).toEqual({
      kind: 'command',
      name: 'start',
      options: { panel: 'design-workshop', rounds: 2, topic: 'A kettle for the elderly' },
    });
    expect(parseCommandText('vote')).toEqual({ kind: 'command', name: 'vote', options: { action: 'open' } });
    expect(parseCommandText('Vote Close')).toEqual({ kind: 'command', name: 'vote', options: { action: 'close' } });
    expect(parseCommandText('ballot 1 3')).toEqual({ kind: 'command', name: 'ballot', options: { choices: '1 3' } });
    expect(parseCommandText('imagine')).toEqual({ kind: 'command', name: 'imagine', options: {} });
    expect(parseCommandText('imagine a red kettle')).toEqual({ kind: 'command', name: 'imagine', options: { prompt: 'a red kettle' } });
    expect(parseCommandText('end')).toEqual({ kind: 'command', name: 'end', options: {} });
    expect(parseCommandText('how should a kettle feel?')).toEqual({ kind: 'unknown', word: 'how' });
  });
});
