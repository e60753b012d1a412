import { describe, expect, it } from 'vitest';
import { detectLanguage } from './detect-language.ts';

describe('detectLanguage', () => {
  it('recognises scripts of common topics', () => {
    expect(detectLanguage('蒙古族剪纸文创产品设计')).toBe('Chinese');
    expect(detectLanguage('折り紙のデザイン')).toBe('Japanese');
    expect(detectLanguage('A lamp for small flats')).toMatch(/same language/);
  });
});
