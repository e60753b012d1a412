import { describe, expect, it } from 'vitest';
import { JSON_COMPLETION_CEILING_TOKENS, grownCompletionCap } from './completion-cap.ts';

describe('grownCompletionCap', () => {
  it('doubles the cap of a cut-off answer', () => {
    expect(grownCompletionCap(300, undefined, undefined)).toBe(600);
    expect(grownCompletionCap(1_500, 2_000, undefined)).toBe(3_000);
  });

  it('stops at the ceiling, and never shrinks a cap already above it', () => {
    expect(grownCompletionCap(6_000, undefined, undefined)).toBe(JSON_COMPLETION_CEILING_TOKENS);
    expect(grownCompletionCap(10_000, undefined, undefined)).toBe(10_000);
  });

  it('leaves room for the prompt in a known context window', () => {
    expect(grownCompletionCap(900, 7_000, 8_192)).toBe(1_192);
    expect(grownCompletionCap(900, 7_500, 8_192)).toBe(900);
  });
});
