/**
 * Session presets (`quick`, `standard`, `deep` …): data files in PRESETS_DIR, one JSON file each,
 * loaded and validated once at start — a broken file stops the bot with its file and field named.
 * A preset decides which personas take part (the first N in the panel's speaking order), how many
 * automatic rounds run, and a scale on what personas are asked to say (prompt-builder.ts).
 *
 * The session keeps only the preset's id (`meta.preset`); its panel and length scale are derived
 * from it where they are needed, by the pure functions here, so every process derives the same.
 * A session without `meta.preset` (started before presets existed) runs as it always did: the
 * whole panel, scale 1.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TableRoundError } from '../errors.ts';
import type { SessionMeta } from '../session/session-types.ts';
import type { Panel } from './panel-schema.ts';
import { presetSchema, type PresetRegistry, type SessionPreset } from './preset-schema.ts';

export type { PresetRegistry, SessionPreset } from './preset-schema.ts';

interface Issue {
  path: PropertyKey[];
  message: string;
  code?: string;
  keys?: string[];
}

function describeIssues(path: string, issues: readonly Issue[]): string {
  const described = issues.map((issue) => {
    if (issue.code === 'unrecognized_keys' && issue.keys?.length) return `${issue.keys.join(', ')}: not a preset field (id, name, description, personas, rounds, lengthScale)`;
    return `${issue.path.map(String).join('.') || '(file)'}: ${issue.message}`;
  });
  return `${path}: ${described.join('; ')}`;
}

/** Parses one preset file; errors name the file and the field. `maxRounds`: MAX_ROUNDS. */
export function loadPreset(path: string, options: { maxRounds: number }): SessionPreset {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new TableRoundError('config_invalid', `${path}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = presetSchema.safeParse(raw);
  if (!parsed.success) throw new TableRoundError('config_invalid', describeIssues(path, parsed.error.issues as readonly Issue[]));
  const preset = parsed.data;
  const fileId = path.replace(/^.*[\\/]/, '').replace(/\.json$/, '');
  if (preset.id !== fileId) throw new TableRoundError('config_invalid', `${path}: id: "${preset.id}" must match the file name ("${fileId}")`);
  if (preset.rounds !== undefined && preset.rounds > options.maxRounds) {
    throw new TableRoundError('config_invalid', `${path}: rounds: ${preset.rounds} is above MAX_ROUNDS (${options.maxRounds})`);
  }
  return preset;
}

/** Every `*.json` in `presetsDir`, by id. A missing folder or a broken file fails loudly, naming PRESETS_DIR or the file. */
export function loadPresets(presetsDir: string, options: { maxRounds: number }): Map<string, SessionPreset> {
  let files: string[];
  try {
    files = readdirSync(presetsDir).filter((name) => name.endsWith('.json'));
  } catch (error) {
    throw new TableRoundError('config_invalid', `PRESETS_DIR: cannot read ${presetsDir} (${(error as Error).message})`, { cause: error });
  }
  const presets = new Map<string, SessionPreset>();
  for (const file of files.sort()) {
    const preset = loadPreset(join(presetsDir, file), options);
    presets.set(preset.id, preset);
  }
  return presets;
}

/**
 * The preset a start asks for (`name`), else `defaultName` (DEFAULT_PRESET). An unknown name is
 * refused with a sentence that lists the presets there are.
 */
export function resolvePreset(presets: PresetRegistry, name: string | undefined, defaultName: string): SessionPreset {
  const id = (name ?? defaultName).trim().toLowerCase();
  const preset = presets.get(id);
  if (preset) return preset;
  throw new TableRoundError('bad_command', `unknown preset ${id}`, {
    publicMessage: `There is no preset “${id.slice(0, 40)}”. Presets: ${[...presets.keys()].join(', ')}.`,
  });
}

/** The panel as the preset seats it: its first `personas` in speaking order (all when the preset names no count, or the panel is smaller). */
export function presetPanel(panel: Panel, preset: SessionPreset | undefined): Panel {
  const count = preset?.personas;
  if (count === undefined || count >= panel.personas.length) return panel;
  // The same object for every step of a session: prompt caches key on the panel.
  const byCount = seatedPanels.get(panel) ?? new Map<number, Panel>();
  seatedPanels.set(panel, byCount);
  let seated = byCount.get(count);
  if (seated === undefined) {
    const personas = panel.personas.slice(0, count);
    seated = { ...panel, personas, speakingOrder: personas.map((persona) => persona.id) };
    byCount.set(count, seated);
  }
  return seated;
}

const seatedPanels = new WeakMap<Panel, Map<number, Panel>>();

/**
 * What a start gets from its preset: the personas taking part and the automatic rounds — the
 * start's own `requestedRounds` if it gave one, else the preset's, else `defaultRounds` (AUTO_ROUNDS).
 */
export function applyPreset(panel: Panel, preset: SessionPreset, requestedRounds: number | undefined, defaultRounds: number): { panel: Panel; rounds: number } {
  return { panel: presetPanel(panel, preset), rounds: requestedRounds ?? preset.rounds ?? defaultRounds };
}

/** The panel a running session speaks with: its panel as its preset (`meta.preset`) seats it. */
export function sessionPanel(panel: Panel, presets: PresetRegistry | undefined, meta: Pick<SessionMeta, 'preset'>): Panel {
  return meta.preset === undefined ? panel : presetPanel(panel, presets?.get(meta.preset));
}

/** The session's turn-length scale: its preset's, 1 without one (or for a preset no longer installed). */
export function lengthScaleOf(presets: PresetRegistry | undefined, meta: Pick<SessionMeta, 'preset'>): number {
  return (meta.preset === undefined ? undefined : presets?.get(meta.preset)?.lengthScale) ?? 1;
}
