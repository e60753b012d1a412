import { describe, expect, it } from 'vitest';
import { hasPrefix } from './has-prefix.ts';

describe('hasPrefix', () => {
  it('says what startsWith says, for one- and two-byte texts, empty ones and surrogate pairs', () => {
    const texts = ['', 'a', 'ab', 'abc', '毛毡灯', '毛毡', '毛', 'a😀', 'a\ud83d', '😀b', 'lamp 毛毡灯 lamp'];
    for (const text of texts) for (const prefix of texts) expect(hasPrefix(text, prefix), `${text} / ${prefix}`).toBe(text.startsWith(prefix));
  });

  it('compares a long context with the one before it', () => {
    const before = Array.from({ length: 50 }, (_, index) => `[Panelist ${index}] 为年轻人设计一盏毛毡灯 — felt, light, warmth`).join('\n');
    expect(hasPrefix(`${before}\n[Panelist 50] one more`, before)).toBe(true);
    expect(hasPrefix(`${before.slice(0, 900)}X${before.slice(901)}\n[Panelist 50]`, before)).toBe(false);
  });
});
