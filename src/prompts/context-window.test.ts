import { describe, expect, it } from 'vitest';
import { contextWindowFor, knownContextWindow, ollamaDefaultWindow, parseContextWindows, unknownModelWindow } from './context-window.ts';

const none = { MODEL_CONTEXT_TOKENS: undefined, MODEL_CONTEXT_WINDOWS: undefined };

describe('context window', () => {
  it('knows the families by name, however the provider spells it', () => {
    expect(knownContextWindow('gpt-4o-mini')).toBe(128_000);
    expect(knownContextWindow('openai/gpt-4.1-mini')).toBe(1_047_576);
    expect(knownContextWindow('gpt-4')).toBe(8_192);
    expect(knownContextWindow('o3-mini')).toBe(200_000);
    expect(knownContextWindow('claude-3-5-sonnet-latest')).toBe(200_000);
    expect(knownContextWindow('gemini-2.0-flash')).toBe(1_048_576);
    expect(knownContextWindow('llama3.1:8b')).toBe(131_072);
    expect(knownContextWindow('meta-llama/Llama-3.1-8B-Instruct')).toBe(131_072);
    expect(knownContextWindow('llama3:8b')).toBe(8_192);
    expect(knownContextWindow('qwen2.5:7b-instruct')).toBe(32_768);
    expect(knownContextWindow('mistral-small')).toBe(32_768);
    expect(knownContextWindow('deepseek-chat')).toBe(65_536);
    expect(knownContextWindow('phi3:mini')).toBe(4_096);
    expect(knownContextWindow('gemma2:9b')).toBe(8_192);
    expect(knownContextWindow('my-finetune')).toBeUndefined();
  });

  it('takes MODEL_CONTEXT_WINDOWS first, then MODEL_CONTEXT_TOKENS, then the table, then 8192', () => {
    const config = { MODEL_CONTEXT_TOKENS: 16_384, MODEL_CONTEXT_WINDOWS: 'gpt-4o-mini=4096, Local-Model = 2048' };
    expect(contextWindowFor(config, 'gpt-4o-mini')).toBe(4_096);
    expect(contextWindowFor(config, 'local-model')).toBe(2_048);
    expect(contextWindowFor(config, 'claude-3-haiku')).toBe(16_384);
    expect(contextWindowFor(none, 'claude-3-haiku')).toBe(200_000);
    expect(contextWindowFor(none, 'small-model')).toBe(unknownModelWindow);
    expect(parseContextWindows(undefined).size).toBe(0);
  });

  it('assumes Ollama serves its default window unless told otherwise', () => {
    expect(contextWindowFor(none, 'llama3.1:8b', { baseURL: 'http://localhost:11434/v1' })).toBe(ollamaDefaultWindow);
    expect(contextWindowFor({ ...none, MODEL_CONTEXT_TOKENS: 32_768 }, 'llama3.1:8b', { baseURL: 'http://localhost:11434/v1' })).toBe(32_768);
  });

  it('answers from each call’s own config, endpoint and model when the same ones were asked about before', () => {
    const first = { MODEL_CONTEXT_TOKENS: undefined, MODEL_CONTEXT_WINDOWS: 'local-model=2048' };
    const second = { MODEL_CONTEXT_TOKENS: undefined, MODEL_CONTEXT_WINDOWS: 'local-model=4096' };
    for (let round = 0; round < 2; round++) {
      expect(contextWindowFor(first, 'local-model')).toBe(2_048);
      expect(contextWindowFor(second, 'local-model')).toBe(4_096);
      expect(contextWindowFor(none, 'llama3.1:8b', { baseURL: 'http://localhost:11434/v1' })).toBe(ollamaDefaultWindow);
      expect(contextWindowFor(none, 'llama3.1:8b', { baseURL: 'http://localhost:8080/v1' })).toBe(131_072);
      expect(contextWindowFor(none, 'llama3.1:8b')).toBe(131_072);
    }
  });

  it('never exceeds the window the provider said it has', () => {
    expect(contextWindowFor(none, 'gpt-4o-mini', { learned: 8_192 })).toBe(8_192);
    expect(contextWindowFor(none, 'small-model', { learned: 32_768 })).toBe(unknownModelWindow);
  });
});
