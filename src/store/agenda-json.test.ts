import { describe, expect, it } from 'vitest';
import { parseAgenda, stringifyAgenda } from './agenda-json.ts';
import type { Step } from '../session/session-types.ts';

const turns = (from: number, count: number): Step[] =>
  Array.from({ length: count }, (_, index) => ({ kind: 'turn', personaId: `p${(from + index) % 6}`, round: Math.floor((from + index) / 6) + 1, reason: 'round' }) as Step);

describe('agenda JSON', () => {
  it('writes what JSON.stringify writes, and reads it back as the agenda it was written from, frozen', () => {
    const agenda = [{ kind: 'notice', text: 'A "quoted", comma, and [bracket]' } as Step, ...turns(0, 40)];
    const text = stringifyAgenda(agenda);
    expect(text).toBe(JSON.stringify(agenda));
    const read = parseAgenda(text);
    expect(read).toEqual(agenda);
    expect(Object.isFrozen(read)).toBe(true);
    expect(read.every((step) => Object.isFrozen(step))).toBe(true);
    expect(() => (read as Step[]).push(turns(0, 1)[0]!)).toThrow(TypeError);
    // The next step's agenda shares its steps: one shorter, the same text JSON.stringify writes.
    const next = read.slice(1);
    expect(stringifyAgenda(next)).toBe(JSON.stringify(next));
    expect(parseAgenda(JSON.stringify(next))).toEqual(next);
  });

  it('parses a text it did not write (another process committed the step) as JSON.parse does', () => {
    const foreign = JSON.stringify([...turns(7, 3), { kind: 'closing' }]);
    const read = parseAgenda(foreign);
    expect(read).toEqual(JSON.parse(foreign));
    expect(Object.isFrozen(read)).toBe(true);
    expect(parseAgenda(foreign)).toBe(read);
    expect(parseAgenda('[]')).toEqual([]);
  });

  it('keeps a bounded number of agendas: an old text is parsed again, equal', () => {
    const first = JSON.stringify(turns(1000, 2));
    const read = parseAgenda(first);
    for (let index = 0; index < 600; index++) parseAgenda(JSON.stringify(turns(index, 2)));
    const again = parseAgenda(first);
    expect(again).not.toBe(read);
    expect(again).toEqual(read);
  });
});
