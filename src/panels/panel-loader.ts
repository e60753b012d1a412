import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TableRoundError } from '../errors.ts';
import { panelManifestSchema, personaSchema, type Panel, type Persona } from './panel-schema.ts';

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new TableRoundError('panel_invalid', `${path}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
}

function describeIssues(path: string, issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return `${path}: ${issues.map((issue) => `${issue.path.map(String).join('.') || '(file)'} ${issue.message}`).join('; ')}`;
}

/** Loads one panel folder: `panel.json` plus one `<persona>.json` per persona. */
export function loadPanel(folder: string): Panel {
  const manifestPath = join(folder, 'panel.json');
  const manifest = panelManifestSchema.safeParse(readJson(manifestPath));
  if (!manifest.success) throw new TableRoundError('panel_invalid', describeIssues(manifestPath, manifest.error.issues));
  const personas = new Map<string, Persona>();
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.json') && name !== 'panel.json')) {
    const path = join(folder, file);
    const persona = personaSchema.safeParse(readJson(path));
    if (!persona.success) throw new TableRoundError('panel_invalid', describeIssues(path, persona.error.issues));
    if (personas.has(persona.data.id)) throw new TableRoundError('panel_invalid', `${path}: duplicate persona id ${persona.data.id}`);
    personas.set(persona.data.id, persona.data);
  }
  const ordered = manifest.data.speakingOrder.map((id) => {
    const persona = personas.get(id);
    if (!persona) throw new TableRoundError('panel_invalid', `${manifestPath}: speakingOrder names ${id}, which has no persona file`);
    return persona;
  });
  const unlisted = [...personas.keys()].filter((id) => !manifest.data.speakingOrder.includes(id));
  if (unlisted.length) throw new TableRoundError('panel_invalid', `${manifestPath}: personas missing from speakingOrder: ${unlisted.join(', ')}`);
  const names = new Set(ordered.map((persona) => persona.displayName));
  if (names.size !== ordered.length) throw new TableRoundError('panel_invalid', `${manifestPath}: two personas share a display name`);
  return { ...manifest.data, personas: ordered, folder: resolve(folder) };
}

/** Loads every panel under `panelsDir`; a broken panel fails loudly at start. */
export function loadPanels(panelsDir: string): Map<string, Panel> {
  const panels = new Map<string, Panel>();
  for (const entry of readdirSync(panelsDir)) {
    const folder = join(panelsDir, entry);
    if (!statSync(folder).isDirectory()) continue;
    const panel = loadPanel(folder);
    if (panel.id !== entry) throw new TableRoundError('panel_invalid', `${folder}: panel id "${panel.id}" must match its folder name`);
    panels.set(panel.id, panel);
  }
  return panels;
}
