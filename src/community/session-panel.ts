/**
 * The panel a session sits with: a built-in one by its id, or the community panel it copied at
 * start (`meta.customPanel`: edits and deletions after the start do not reach it). The copy is
 * parsed once per session and process, not at every step.
 */
import type { Panel } from '../panels/panel-schema.ts';
import type { SessionMeta } from '../session/session-types.ts';
import { asPanel, communityPanelSchema } from './community-panels.ts';

const parsed = new Map<string, { raw: string; panel: Panel | undefined }>();
const parsedKept = 2_000;

export function installedPanel(panels: ReadonlyMap<string, Panel>, meta: Pick<SessionMeta, 'sessionId' | 'panelId' | 'customPanel'>): Panel | undefined {
  const raw = meta.customPanel;
  if (!raw) return panels.get(meta.panelId);
  const known = parsed.get(meta.sessionId);
  if (known && known.raw === raw) return known.panel;
  let panel: Panel | undefined;
  try {
    const checked = communityPanelSchema.safeParse(JSON.parse(raw));
    panel = checked.success ? asPanel(checked.data) : undefined;
  } catch {
    panel = undefined;
  }
  if (parsed.size >= parsedKept) parsed.delete(parsed.keys().next().value!);
  parsed.set(meta.sessionId, { raw, panel });
  return panel;
}
