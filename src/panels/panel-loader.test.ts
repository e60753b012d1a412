import { mkdtempSync, mkdirSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPanel, loadPanels } from './panel-loader.ts';

describe('panels', () => {
  it('loads the shipped panels; the default is the original six in speaking order', () => {
    const panels = loadPanels('prompts/panels');
    const workshop = panels.get('design-workshop');
    expect(workshop?.personas.map((persona) => persona.id)).toEqual([
      'craftsman_1', 'consumer_1', 'manufacturer_1', 'consumer_2', 'designer_1', 'consumer_3',
    ]);
    expect(panels.get('product-strategy')?.personas.length).toBeGreaterThanOrEqual(4);
  });

  it('names the file and field of an invalid persona', () => {
    const folder = mkdtempSync(join(tmpdir(), 'panel-'));
    cpSync('prompts/panels/product-strategy', folder, { recursive: true });
    writeFileSync(join(folder, 'engineer.json'), JSON.stringify({ id: 'engineer', displayName: '' }));
    expect(() => loadPanel(folder)).toThrow(/engineer\.json: displayName/);
  });

  it('refuses a persona file missing from the speaking order', () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'panel-')), 'p');
    mkdirSync(folder);
    cpSync('prompts/panels/product-strategy', folder, { recursive: true });
    writeFileSync(join(folder, 'extra.json'), JSON.stringify({ id: 'extra', displayName: 'Extra', role: 'x', roleTitle: 'X', roleFocus: 'x', background: 'x', speakingStyle: 'x' }));
    expect(() => loadPanel(folder)).toThrow(/missing from speakingOrder: extra/);
  });
});
