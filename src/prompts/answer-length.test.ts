import { describe, expect, it } from 'vitest';
import { capFor, isReasoningModel, lengthTargets, reasoningTokens } from './answer-length.ts';

describe('completion caps', () => {
  it('follow the target length and the script, not one global number', () => {
    const turn = capFor(lengthTargets.round, { script: 'latin', model: 'gpt-4o-mini' });
    const summary = capFor(lengthTargets.rollingSummary, { script: 'latin', model: 'gpt-4o-mini' });
    expect(turn).toBe(232); // 600 characters at 1/3 + 32
    expect(summary).toBeGreaterThan(3 * turn);
    expect(capFor(lengthTargets.round, { script: 'cjk', model: 'gpt-4o-mini' })).toBe(782); // 600 × 1.25 + 32
  });

  it('leave reasoning models room to think, but never more than half the window', () => {
    for (const model of ['deepseek-r1:7b', 'qwq', 'o3-mini', 'openai/o1', 'deepseek-reasoner', 'qwen3:8b', 'claude-thinking']) expect(isReasoningModel(model)).toBe(true);
    for (const model of ['gpt-4o', 'gpt-4o-mini', 'llama3.1:8b', 'qwen2.5:7b', 'qwen3-30b-a3b-instruct-2507', 'mistral-small']) expect(isReasoningModel(model)).toBe(false);
    const plain = capFor(lengthTargets.round, { script: 'latin', model: 'llama3.1:8b' });
    expect(capFor(lengthTargets.round, { script: 'latin', model: 'deepseek-r1:7b' })).toBe(plain + reasoningTokens);
    expect(capFor(lengthTargets.round, { script: 'latin', model: 'deepseek-r1:7b', windowTokens: 2_048 })).toBe(1_024);
  });
});
