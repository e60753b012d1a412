import { describe, expect, it } from 'vitest';
import { marginTokens, promptAllowance, structuredPromptTokens, windowAfterOverflow } from './context-budget.ts';

describe('context budget', () => {
  it('leaves the completion cap and a margin free of the window', () => {
    expect(marginTokens(8_192)).toBe(410);
    expect(marginTokens(2_048)).toBe(256);
    expect(promptAllowance({ windowTokens: 8_192, reserveTokens: 232 })).toBe(8_192 - 232 - 410);
    expect(promptAllowance({ windowTokens: 8_192, reserveTokens: 232 }, { structured: true })).toBe(8_192 - 232 - 410 - structuredPromptTokens);
    // However small the window, the fixed parts still go out.
    expect(promptAllowance({ windowTokens: 512, reserveTokens: 600 })).toBe(256);
  });

  it('after a refusal, assumes the window the provider named, else half of what the refused call asked for', () => {
    expect(windowAfterOverflow(32_768, 8_192, 9_000)).toBe(8_192);
    expect(windowAfterOverflow(8_192, 8_192, 8_000)).toBe(4_000);
    expect(windowAfterOverflow(32_768, undefined, 9_000)).toBe(4_500);
    expect(windowAfterOverflow(4_096, undefined, 9_000)).toBe(2_048);
    expect(windowAfterOverflow(1_500, undefined, 1_400)).toBe(1_024);
  });
});
