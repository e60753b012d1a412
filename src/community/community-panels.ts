/**
 * Panels a community keeps for itself (a Discord server, a Slack workspace; the terminal is one
 * community of its own), in Redis beside the built-in file panels of `prompts/panels/` that every
 * community sees. One hash per community (`RedisKeys.communityPanels`): panel id → the record
 * below, validated by the file panels' zod schemas, with its version and who changed it last.
 *
 * Writes are one Lua script each, so two managers saving at once never lose a version nor pass
 * the community's limit, and a record is written whole or not at all.
 */
import type { RedisClient } from '../store/redis-connection.ts';
import { z } from 'zod';
import { TableRoundError } from '../errors.ts';
import { panelManifestSchema, personaSchema, type Panel, type Persona } from '../panels/panel-schema.ts';
import { cleanDisplayName } from '../panels/display-name.ts';
import type { RedisKeys } from '../store/keys.ts';
import { RedisScript } from '../store/redis-script.ts';

/** A persona as a community keeps it: no avatar file (one is generated) and no model override (the operator's). */
export const communityPersonaSchema = personaSchema.omit({ avatar: true, model: true });

export const communityPanelSchema = panelManifestSchema.omit({ speakingOrder: true }).extend({
  /** In speaking order. */
  personas: z.array(communityPersonaSchema).min(2).max(12),
});

export type CommunityPanel = z.infer<typeof communityPanelSchema>;

export interface CommunityPanelRecord {
  panel: CommunityPanel;
  version: number;
  updatedBy: { id: string; displayName: string };
  updatedAt: number;
}

export interface CommunityPanelLimits {
  /** COMMUNITY_PANELS_MAX */
  panels: number;
  /** COMMUNITY_PANEL_PERSONAS_MAX */
  personas: number;
}

/** Display names the same way webhook names are cleaned; the longest a persona's may be. */
const displayNameLimit = 60;

/**
 * A panel as people or a model wrote it, cleaned (names as webhook names, text trimmed) and
 * checked: the schema, the persona limit, distinct ids and names, and an id that no built-in
 * panel has. Roles may repeat, as in file panels (three consumers), except where `distinctRoles`
 * asks otherwise (a drafted panel). Throws a `panel_invalid` TableRoundError that says every
 * problem found.
 */
export function validateCommunityPanel(input: unknown, limits: CommunityPanelLimits, builtInIds: ReadonlySet<string>, options: { distinctRoles?: boolean } = {}): CommunityPanel {
  const cleaned = cleanInput(input);
  const parsed = communityPanelSchema.safeParse(cleaned);
  const problems: string[] = parsed.success ? [] : parsed.error.issues.slice(0, 6).map((issue) => `${issue.path.map(String).join('.') || 'panel'}: ${issue.message}`);
  if (parsed.success) {
    const panel = parsed.data;
    if (builtInIds.has(panel.id)) problems.push(`id: “${panel.id}” is a built-in panel's`);
    if (panel.personas.length > limits.personas) problems.push(`personas: at most ${limits.personas}`);
    const repeated = (values: string[]) => values.filter((value, index) => values.indexOf(value) !== index);
    for (const [field, values] of [
      ['persona ids', panel.personas.map((persona) => persona.id)],
      ['names', panel.personas.map((persona) => persona.displayName.toLowerCase())],
      ...(options.distinctRoles ? [['roles', panel.personas.map((persona) => persona.role)] as const] : []),
    ] as const) {
      const twice = [...new Set(repeated([...values]))];
      if (twice.length) problems.push(`${field}: each once (${twice.slice(0, 3).join(', ')} twice)`);
    }
  }
  if (problems.length || !parsed.success) {
    throw new TableRoundError('panel_invalid', `community panel invalid: ${problems.join('; ')}`, { publicMessage: `That panel is not valid: ${problems.join('; ')}.` });
  }
  return parsed.data;
}

function cleanInput(input: unknown): unknown {
  if (!input || typeof input !== 'object') return input;
  const panel = input as Record<string, unknown>;
  const personas = panel.personas;
  return {
    ...panel,
    ...(typeof panel.name === 'string' ? { name: panel.name.trim() } : {}),
    ...(typeof panel.description === 'string' ? { description: panel.description.trim() } : {}),
    personas: Array.isArray(personas)
      ? personas.map((persona: unknown) => {
          if (!persona || typeof persona !== 'object') return persona;
          const fields = persona as Record<string, unknown>;
          const trimmed = Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, typeof value === 'string' ? value.trim() : value]));
          return typeof fields.displayName === 'string' ? { ...trimmed, displayName: cleanDisplayName(fields.displayName, '', displayNameLimit) } : trimmed;
        })
      : personas,
  };
}

/** A community panel as the engine seats it (no folder: its avatars are generated). */
export function asPanel(panel: CommunityPanel): Panel {
  const personas: Persona[] = panel.personas.map((persona) => ({ ...persona }));
  return { id: panel.id, name: panel.name, description: panel.description, speakingOrder: personas.map((persona) => persona.id), personas, folder: '' };
}

/** Saves when the community has room (a new id) and the version is the one the writer read (0: new). */
const saveScript = new RedisScript(
  `local current = redis.call('HGET', KEYS[1], ARGV[1])
local version = 0
if current then version = cjson.decode(current).version end
if tonumber(ARGV[2]) >= 0 and version ~= tonumber(ARGV[2]) then return {-1, version} end
if not current and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then return {-2, version} end
local record = cjson.decode(ARGV[3])
record.version = version + 1
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(record))
return {1, version + 1}`,
);

export class CommunityPanels {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly limits: CommunityPanelLimits,
  ) {}

  async list(community: string): Promise<CommunityPanelRecord[]> {
    const hash = await this.redis.hgetall(this.keys.communityPanels(community));
    return Object.values(hash)
      .map((raw) => parseRecord(raw))
      .filter((record): record is CommunityPanelRecord => record !== undefined)
      .sort((left, right) => left.panel.id.localeCompare(right.panel.id));
  }

  async get(community: string, id: string): Promise<CommunityPanelRecord | undefined> {
    const raw = await this.redis.hget(this.keys.communityPanels(community), id);
    return raw === null ? undefined : parseRecord(raw);
  }

  /**
   * Saves a validated panel. `expectedVersion`: the version the writer read (0 for a new panel;
   * undefined: whatever is there). Returns the new record; refuses past the community's limit or
   * when another manager saved meanwhile.
   */
  async save(community: string, panel: CommunityPanel, by: { id: string; displayName: string }, expectedVersion?: number): Promise<CommunityPanelRecord> {
    const record = { panel, version: 0, updatedBy: { id: by.id, displayName: by.displayName }, updatedAt: Date.now() };
    const [outcome, version] = (await saveScript.run(this.redis, [this.keys.communityPanels(community)], [panel.id, String(expectedVersion ?? -1), JSON.stringify(record), String(this.limits.panels)])) as [number, number];
    if (outcome === -1) {
      throw new TableRoundError('bad_command', `panel ${panel.id} is at version ${version}, not ${expectedVersion}`, { publicMessage: `Someone saved “${panel.id}” meanwhile (now version ${version}); show it again and edit that.` });
    }
    if (outcome === -2) {
      throw new TableRoundError('bad_command', `community ${community} has ${this.limits.panels} panels`, { publicMessage: `This community already keeps ${this.limits.panels} panels; delete one first.` });
    }
    return { ...record, version };
  }

  /** True when there was such a panel. */
  async delete(community: string, id: string): Promise<boolean> {
    return (await this.redis.hdel(this.keys.communityPanels(community), id)) === 1;
  }
}

function parseRecord(raw: string): CommunityPanelRecord | undefined {
  try {
    const record = JSON.parse(raw) as CommunityPanelRecord;
    const panel = communityPanelSchema.safeParse(record.panel);
    return panel.success ? { ...record, panel: panel.data } : undefined;
  } catch {
    return undefined;
  }
}
