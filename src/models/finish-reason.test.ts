import { describe, expect, it } from 'vitest';
import { mapFinishReason } from './finish-reason.ts';

describe('mapFinishReason', () => {
  it('maps every server spelling to the four reasons callers act on', () => {
    expect(['stop', 'tool_calls', 'function_call', 'eos', 'end_turn', 'stop_sequence'].map(mapFinishReason)).toEqual(Array(6).fill('stop'));
    expect(mapFinishReason('length')).toBe('length');
    expect(mapFinishReason('max_tokens')).toBe('length');
    expect(mapFinishReason('content_filter')).toBe('content_filter');
  });

  it('says `other` for a missing or unknown reason', () => {
    expect(mapFinishReason(null)).toBe('other');
    expect(mapFinishReason(undefined)).toBe('other');
    expect(mapFinishReason('')).toBe('other');
    expect(mapFinishReason('recitation')).toBe('other');
    expect(mapFinishReason('constructor')).toBe('other');
  });
});
