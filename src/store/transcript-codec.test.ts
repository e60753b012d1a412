import { describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry } from './transcript-codec.ts';
import type { TranscriptEntry } from '../session/session-types.ts';

const base: TranscriptEntry = { kind: 'persona', speakerId: 'maker', speakerName: 'Bayar the Maker', text: '毛毡 — felt, "quoted"', at: 1_796_165_415_400, stage: 'discussion', round: 2 };

describe('transcript entries in Redis', () => {
  it('round-trip with and without their optional fields', () => {
    for (const entry of [base, { ...base, role: 'critic' }, { ...base, images: ['abc', 'def'] }, { ...base, role: 'critic', images: ['abc'] }]) {
      expect(decodeEntry(encodeEntry(entry))).toEqual(entry);
    }
  });

  it('are stored without field names, smaller than the JSON object they were', () => {
    const stored = encodeEntry(base);
    expect(stored).not.toContain('speakerName');
    expect(stored.length).toBeLessThan(JSON.stringify(base).length - 50);
  });

  it('written before as JSON objects are still read', () => {
    expect(decodeEntry(JSON.stringify({ ...base, role: 'critic' }))).toEqual({ ...base, role: 'critic' });
  });
});
