import { describe, expect, it } from 'vitest';
import { ReasoningFilter, stripReasoning } from './reasoning-filter.ts';

describe('reasoning filter', () => {
  it('removes a <think> block', () => {
    expect(stripReasoning('<think>secret plan</think>\nHello there.')).toBe('Hello there.');
  });

  it('never releases reasoning when tags are split across chunks', () => {
    const filter = new ReasoningFilter();
    const seen: string[] = [];
    for (const chunk of ['Hi <th', 'ink>hidden', ' stuff</thi', 'nk> and bye']) seen.push(filter.push(chunk));
    expect(seen.join('|')).not.toMatch(/hidden|stuff|think/);
    expect(filter.end()).toBe('Hi  and bye');
  });

  it('hides an unclosed block entirely', () => {
    expect(stripReasoning('<thinking>never closed, all private')).toBe('');
  });

  it('leaves ordinary angle brackets alone', () => {
    expect(stripReasoning('a < b and <b>bold</b>')).toBe('a < b and <b>bold</b>');
  });
});
