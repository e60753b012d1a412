import { describe, expect, it } from 'vitest';
import { sanitizeText } from './sanitize-text.ts';

describe('sanitizeText', () => {
  it('removes zero-width and bidi control characters', () => {
    expect(sanitizeText('he\u200bllo \u202Eevil\u202C', 100).text).toBe('hello evil');
  });
  it('caps the length by code points and says so', () => {
    const result = sanitizeText('字'.repeat(20_000), 4_000);
    expect([...result.text]).toHaveLength(4_000);
    expect(result.clipped).toBe(true);
  });
});
