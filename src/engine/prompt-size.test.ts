import { describe, expect, it } from 'vitest';
import { formatPromptSize } from './prompt-size.ts';

describe('/status prompt line', () => {
  it('shows the last persona prompt against its window and what it kept for the answer', () => {
    expect(formatPromptSize({ promptTokens: 3_100, windowTokens: 8_192, reserveTokens: 232, model: 'gpt-x' })).toBe('Prompt: ~3,100 of 8,192 tokens (gpt-x), 232 kept for the answer');
    expect(formatPromptSize({ promptTokens: 900, windowTokens: 0, reserveTokens: 0, model: '' })).toBe('Prompt: ~900 tokens (default model)');
  });
});
