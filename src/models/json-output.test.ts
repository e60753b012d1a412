import { describe, expect, it } from 'vitest';
import { extractJson } from './json-output.ts';

describe('extractJson', () => {
  it('parses plain JSON', () => {
    expect(extractJson('{"keywords":["a","b"]}')).toEqual({ keywords: ['a', 'b'] });
  });
  it('finds JSON inside fences, prose and reasoning', () => {
    expect(extractJson('<think>{"no":1}</think>Sure! ```json\n{"keywords": ["纸", "red}"]}\n``` hope it helps')).toEqual({ keywords: ['纸', 'red}'] });
  });
  it('throws when there is none', () => {
    expect(() => extractJson('no json here')).toThrow(SyntaxError);
  });
});
