import { z } from 'zod';

/** Bounds of a preset's turn-length scale (×0.25 … ×3 of the usual speaking lengths). */
export const lengthScaleBounds = { min: 0.25, max: 3 } as const;

/**
 * One session preset: a file `prompts/presets/<id>.json`, chosen at start (`preset:quick`,
 * `--preset quick`). Validated at load (presets.ts); an error names the file and the field. Unknown
 * fields are refused, so a misspelt one never silently does nothing.
 */
export const presetSchema = z.strictObject({
  /** Must match the file name (`quick` in quick.json). */
  id: z.string().regex(/^[a-z0-9-]{1,40}$/, 'lowercase letters, digits and -'),
  name: z.string().min(1).max(40),
  description: z.string().min(1).max(200),
  /** How many personas take part: the first ones in the panel's speaking order. Absent: all of them. */
  personas: z.number().int().min(2).max(12).optional(),
  /** Automatic discussion rounds before the panel pauses (a start's own `rounds` wins). Absent: AUTO_ROUNDS. */
  rounds: z.number().int().min(0).max(20).optional(),
  /** Multiplies what personas are asked to say (introductions, turns, replies, reflections, image stories) and so their completion caps. */
  lengthScale: z.number().min(lengthScaleBounds.min).max(lengthScaleBounds.max).default(1),
});

export type SessionPreset = z.infer<typeof presetSchema>;

/** The presets by id, as loaded at start. */
export type PresetRegistry = ReadonlyMap<string, SessionPreset>;
