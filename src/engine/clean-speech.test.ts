import { describe, expect, it } from 'vitest';
import { cleanSpeech } from './step-context.ts';
import type { Persona } from '../panels/panel-schema.ts';

const persona = (id: string, displayName: string) => ({ id, displayName }) as Persona;

describe('cleanSpeech', () => {
  it('removes the speaker\'s own label (full name, first name or id) and wrapping quotes', () => {
    const ada = persona('ada', 'Ada Lovelace (engineer)');
    expect(cleanSpeech('**Ada Lovelace (engineer)**: A dimmer first.', ada)).toBe('A dimmer first.');
    expect(cleanSpeech('  Ada： A dimmer first.  ', ada)).toBe('A dimmer first.');
    expect(cleanSpeech('[ada]: "A dimmer first."', ada)).toBe('A dimmer first.');
    expect(cleanSpeech('Grace: a dimmer first.', ada)).toBe('Grace: a dimmer first.');
  });

  it('uses each speaker\'s own labels, however often and in whatever order speakers are cleaned', () => {
    const ada = persona('ada', 'Ada');
    const grace = persona('grace', 'Grace Hopper');
    for (let turn = 0; turn < 3; turn++) {
      expect(cleanSpeech('Grace: warm light.', ada)).toBe('Grace: warm light.');
      expect(cleanSpeech('Grace: warm light.', grace)).toBe('warm light.');
      expect(cleanSpeech('Ada: warm light.', grace)).toBe('Ada: warm light.');
      expect(cleanSpeech('Ada: warm light.', ada)).toBe('warm light.');
    }
  });
});
