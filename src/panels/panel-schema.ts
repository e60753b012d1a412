import { z } from 'zod';

/** One persona file in `prompts/panels/<panel>/`. Validated at load; errors name the file. */
export const personaSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'lowercase letters, digits and _'),
  displayName: z.string().min(1).max(60),
  /** Role id (several personas may share one, e.g. three consumers). */
  role: z.string().min(1).max(40),
  /** Human title of the role, e.g. "Craftsman". */
  roleTitle: z.string().min(1).max(60),
  /** What this role contributes: used in prompts and when roles are switched. */
  roleFocus: z.string().min(1).max(400),
  background: z.string().min(1).max(1200),
  speakingStyle: z.string().min(1).max(400),
  /** Avatar image file in the panel folder; generated when absent. */
  avatar: z.string().optional(),
  emoji: z.string().regex(/^:[a-z0-9_+-]+:$/).default(':speech_balloon:'),
  /** Chat model override for this persona. */
  model: z.string().optional(),
});

export const panelManifestSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]{1,39}$/),
  name: z.string().min(1).max(80),
  description: z.string().min(1).max(400),
  /** Persona ids in speaking order; every persona file must be listed. */
  speakingOrder: z.array(z.string()).min(2).max(12),
});

export type Persona = z.infer<typeof personaSchema>;
export type PanelManifest = z.infer<typeof panelManifestSchema>;

export interface Panel extends PanelManifest {
  /** In speaking order. */
  personas: Persona[];
  /** Absolute folder path (for avatar files). */
  folder: string;
}
