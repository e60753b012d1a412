import { describe, expect, it } from 'vitest';
import { foldBlankLines, renderTemplate, Templates } from './render-template.ts';

describe('renderTemplate', () => {
  it('fills every placeholder', () => {
    expect(renderTemplate('Hi {{name}}, round {{round}}.', { name: 'Bayar', round: 2 })).toBe('Hi Bayar, round 2.');
  });
  it('refuses a missing variable and an unknown one', () => {
    expect(() => renderTemplate('Hi {{name}}', {})).toThrow(/no value for \{\{name\}\}/);
    expect(() => renderTemplate('Hi', { name: 'x' })).toThrow(/not in the template: name/);
  });
  it('renders every shipped template when given its variables (no stray placeholders)', () => {
    const templates = new Templates('prompts/templates');
    const text = templates.render('introduction', { minChars: 200, maxChars: 300 });
    expect(text).toContain('200–300');
    expect(text).not.toMatch(/\{\{/);
  });
  it('folds runs of blank lines and trims as the joined text would be folded and trimmed, runs across pieces included', () => {
    const alphabet = ['\n', '\n', '\n', ' ', '\t', '\u3000', 'a', '好', '\r'];
    let seed = 5;
    const random = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    const text = () => Array.from({ length: Math.floor(random() * 7) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    for (let sample = 0; sample < 2_000; sample++) {
      const pieces = Array.from({ length: 1 + Math.floor(random() * 6) }, text);
      expect(foldBlankLines(pieces), JSON.stringify(pieces)).toBe(pieces.join('').replace(/\n{3,}/g, '\n\n').trim());
    }
  });
});
