import { describe, expect, it } from 'vitest';
import { splitMessage, streamPreview } from './split-message.ts';

describe('splitMessage', () => {
  it('keeps short text whole and never returns empty parts', () => {
    expect(splitMessage('  short  ', 100)).toEqual(['short']);
    expect(splitMessage('   ', 100)).toEqual([]);
  });

  it('splits at paragraph, then sentence boundaries, every part within the limit', () => {
    const paragraph = 'A sentence that goes on. '.repeat(30).trim();
    const parts = splitMessage(`${paragraph}\n\n${paragraph}\n\n${paragraph}`, 1_000);
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(1_000);
    expect(parts.join(' ').replace(/\s+/g, ' ')).toBe(`${paragraph} ${paragraph} ${paragraph}`.replace(/\s+/g, ' '));
    expect(parts[0]!.endsWith('.')).toBe(true);
  });

  it('cuts CJK text at a full-width sentence mark and never splits a surrogate pair', () => {
    const cjk = '这是一盏灯。'.repeat(100);
    for (const part of splitMessage(cjk, 100)) expect(part.endsWith('。')).toBe(true);
    const emoji = '😀'.repeat(200);
    const parts = splitMessage(emoji, 101);
    expect(parts.join('')).toBe(emoji);
    for (const part of parts) expect(part).not.toMatch(/[\ud800-\udbff]$/);
  });

  it('closes and reopens a code fence across parts', () => {
    const parts = splitMessage(`\`\`\`\n${'line of code\n'.repeat(200)}\`\`\``, 500);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(500);
      expect((part.match(/```/g) ?? []).length % 2).toBe(0);
    }
  });

  it('shows the first part of a growing text, marked when more follows', () => {
    expect(streamPreview('Hello there.', 100)).toBe('Hello there.');
    const preview = streamPreview('One sentence here. '.repeat(20), 100);
    expect(preview.endsWith(' …')).toBe(true);
    expect(preview.length).toBeLessThanOrEqual(100);
  });
});
