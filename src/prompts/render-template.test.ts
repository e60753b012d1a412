import { describe, expect, it } from 'vitest';
import { renderTemplate, Templates } from './render-template.ts';

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
});
