import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPanels } from './panel-loader.ts';
import { applyPreset, lengthScaleOf, loadPreset, loadPresets, presetPanel, resolvePreset, sessionPanel } from './presets.ts';

const maxRounds = 5;
const workshop = loadPanels('prompts/panels').get('design-workshop')!;
const shipped = loadPresets('prompts/presets', { maxRounds });

function presetFile(name: string, content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'preset-')), name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('the shipped presets', () => {
  it('are quick (3 personas, 1 round, shorter turns), standard (today: the whole panel, AUTO_ROUNDS, scale 1) and deep (more, longer rounds)', () => {
    expect([...shipped.keys()]).toEqual(['deep', 'quick', 'standard']);
    expect(shipped.get('quick')).toMatchObject({ personas: 3, rounds: 1 });
    expect(shipped.get('quick')!.lengthScale).toBeLessThan(1);
    const standard = shipped.get('standard')!;
    expect([standard.personas, standard.rounds, standard.lengthScale]).toEqual([undefined, undefined, 1]);
    const deep = shipped.get('deep')!;
    expect(deep.personas).toBeUndefined();
    expect(deep.rounds).toBeGreaterThan(2);
    expect(deep.lengthScale).toBeGreaterThan(1);
  });
});

describe('loading presets', () => {
  it('names the file and the field of an invalid value', () => {
    const path = presetFile('quick.json', { id: 'quick', name: 'Quick', description: 'x', personas: 1, lengthScale: 9 });
    expect(() => loadPreset(path, { maxRounds })).toThrow(/quick\.json: personas: .*; lengthScale: /);
  });

  it('refuses a field it does not know (a misspelling would silently do nothing)', () => {
    const path = presetFile('quick.json', { id: 'quick', name: 'Quick', description: 'x', round: 1 });
    expect(() => loadPreset(path, { maxRounds })).toThrow(/quick\.json: round: not a preset field/);
  });

  it('refuses an id other than the file name, rounds above MAX_ROUNDS, and broken JSON', () => {
    expect(() => loadPreset(presetFile('fast.json', { id: 'quick', name: 'Quick', description: 'x' }), { maxRounds })).toThrow(/fast\.json: id: "quick" must match the file name \("fast"\)/);
    expect(() => loadPreset(presetFile('deep.json', { id: 'deep', name: 'Deep', description: 'x', rounds: 4 }), { maxRounds: 3 })).toThrow(/deep\.json: rounds: 4 is above MAX_ROUNDS \(3\)/);
    expect(() => loadPreset(presetFile('quick.json', '{ "id": '), { maxRounds })).toThrow(/quick\.json: not valid JSON/);
  });

  it('names PRESETS_DIR when the folder cannot be read', () => {
    expect(() => loadPresets('/nonexistent/presets', { maxRounds })).toThrow(/PRESETS_DIR: cannot read \/nonexistent\/presets/);
  });
});

describe('choosing a preset', () => {
  it('takes the named one, else the default, and refuses an unknown one naming those there are', () => {
    expect(resolvePreset(shipped, 'Quick', 'standard').id).toBe('quick');
    expect(resolvePreset(shipped, undefined, 'standard').id).toBe('standard');
    expect(() => resolvePreset(shipped, 'huge', 'standard')).toThrow(expect.objectContaining({ code: 'bad_command', publicMessage: 'There is no preset “huge”. Presets: deep, quick, standard.' }));
  });

  it('seats the first personas in speaking order and sets the rounds: the start’s own, else the preset’s, else AUTO_ROUNDS', () => {
    const quick = applyPreset(workshop, shipped.get('quick')!, undefined, 2);
    expect(quick.panel.personas.map((persona) => persona.id)).toEqual(['craftsman_1', 'consumer_1', 'manufacturer_1']);
    expect(quick.panel.speakingOrder).toEqual(['craftsman_1', 'consumer_1', 'manufacturer_1']);
    expect(quick.rounds).toBe(1);
    expect(applyPreset(workshop, shipped.get('quick')!, 3, 2).rounds).toBe(3);
    expect(applyPreset(workshop, shipped.get('quick')!, 0, 2).rounds).toBe(0);
    const standard = applyPreset(workshop, shipped.get('standard')!, undefined, 2);
    expect(standard.panel).toBe(workshop);
    expect(standard.rounds).toBe(2);
    // A preset asking for more personas than the panel has seats them all.
    expect(presetPanel(workshop, { id: 'big', name: 'Big', description: 'x', personas: 12, lengthScale: 1 })).toBe(workshop);
  });

  it('derives a running session’s panel and length scale from meta.preset (none: the whole panel at scale 1)', () => {
    expect(sessionPanel(workshop, shipped, { preset: 'quick' }).personas).toHaveLength(3);
    // The same seated panel at every step (the prompt builder's caches key on the panel object).
    expect(sessionPanel(workshop, shipped, { preset: 'quick' })).toBe(sessionPanel(workshop, shipped, { preset: 'quick' }));
    expect(sessionPanel(workshop, shipped, {})).toBe(workshop);
    expect(sessionPanel(workshop, shipped, { preset: 'removed' })).toBe(workshop);
    expect(lengthScaleOf(shipped, { preset: 'quick' })).toBe(shipped.get('quick')!.lengthScale);
    expect(lengthScaleOf(shipped, {})).toBe(1);
    expect(lengthScaleOf(undefined, { preset: 'deep' })).toBe(1);
  });
});
