/**
 * What `/panel` and `/config` ask of the core, for one community: its panels beside the built-in
 * ones, a persona imported from a character card, and a channel's settings. Every write is for
 * the community's managers (`Person.managesCommunity`: the adapter decides, from Discord's Manage
 * Server or COMMUNITY_MANAGER_ROLE, Slack's workspace admins and owners; the terminal's user);
 * everyone may read. A community never sees another's panels or settings: every key is the
 * community's (`communityOf`).
 */
import type { Person } from '../adapter/inbound-event.ts';
import type { Config } from '../config/config-schema.ts';
import { TableRoundError } from '../errors.ts';
import type { Panel } from '../panels/panel-schema.ts';
import type { PresetRegistry } from '../panels/presets.ts';
import { importCharacterCard, MAX_CARD_BYTES, type ImportedPersona } from '../panels/character-card.ts';
import type { ImageReference } from '../adapter/inbound-event.ts';
import { communityOf, type SessionAddress } from '../session/session-id.ts';
import { asPanel, validateCommunityPanel, type CommunityPanel, type CommunityPanelRecord, type CommunityPanels } from './community-panels.ts';
import type { RedisClient } from '../store/redis-connection.ts';
import type { ModelGateway } from '../models/model-gateway.ts';
import type { RedisKeys } from '../store/keys.ts';
import { randomUUID } from 'node:crypto';
import { draftPanel } from './panel-drafter.ts';
import { checkSetting, settingKey, type ChannelSettings, type ChannelSettingsStore, type SettingKey } from './channel-settings.ts';

export type PlaceAddress = Pick<SessionAddress, 'platform' | 'channel' | 'community'>;

export interface PanelSummary {
  id: string;
  name: string;
  description: string;
  personas: number;
  /** A file panel every community sees; else the community's own, with its version. */
  builtIn: boolean;
  version?: number;
  updatedBy?: string;
}

export interface CommunityAdminDependencies {
  config: Config;
  /** Drafts (`/panel new`) are the chat model's; its usage is the person's spend. */
  models?: Pick<ModelGateway, 'json'>;
  redis: RedisClient;
  keys: RedisKeys;
  /** Charges a draft's tokens to the person (their daily USER_TOKEN_BUDGET). */
  chargePerson?(platform: string, personId: string, tokens: number): Promise<void>;
  /** Downloads a file a person attached, through the platform's adapter (only its hosts, capped). */
  fetchFile?(platform: string, reference: ImageReference, maxBytes: number): Promise<Buffer>;
  /** Prepares a saved panel's generated avatars (best effort). */
  onSaved?(panel: Panel): Promise<void>;
  builtIns: ReadonlyMap<string, Panel>;
  presets?: PresetRegistry;
  panels: CommunityPanels;
  settings: ChannelSettingsStore;
}

/** What a persona's edit form changes. */
export const editableFields = ['displayName', 'roleTitle', 'roleFocus', 'background', 'speakingStyle'] as const;
export type EditableField = (typeof editableFields)[number];

/** A drafted panel waiting for its manager's answer. */
export interface PanelDraft {
  draftId: string;
  purpose: string;
  panel: CommunityPanel;
}

/** How long a draft waits for Save / Regenerate / Cancel. */
const draftSeconds = 3_600;

/** Refuses a person who does not manage the community. */
function requireManager(person: Person, what: string): void {
  if (person.managesCommunity) return;
  throw new TableRoundError('not_allowed', `${person.id} may not ${what}`, {
    publicMessage: `Only the community's managers can ${what} (on Discord: Manage Server or the manager role; on Slack: workspace admins and owners).`,
  });
}

export class CommunityAdmin {
  constructor(private readonly deps: CommunityAdminDependencies) {}

  /** The built-in panels, then the community's own. */
  async listPanels(place: PlaceAddress): Promise<PanelSummary[]> {
    const own = await this.deps.panels.list(communityOf(place));
    return [
      ...[...this.deps.builtIns.values()].map((panel) => ({ id: panel.id, name: panel.name, description: panel.description, personas: panel.personas.length, builtIn: true })),
      ...own.map((record) => ({
        id: record.panel.id,
        name: record.panel.name,
        description: record.panel.description,
        personas: record.panel.personas.length,
        builtIn: false,
        version: record.version,
        updatedBy: record.updatedBy.displayName,
      })),
    ];
  }

  /** A panel by id as this community sees it: a built-in one, or its own (with its record). */
  async findPanel(place: PlaceAddress, id: string): Promise<{ panel: Panel; record?: CommunityPanelRecord } | undefined> {
    const builtIn = this.deps.builtIns.get(id);
    if (builtIn) return { panel: builtIn };
    const record = await this.deps.panels.get(communityOf(place), id);
    return record ? { panel: asPanel(record.panel), record } : undefined;
  }

  /** The panel, or a refusal that lists what this community has. */
  async requirePanel(place: PlaceAddress, id: string): Promise<{ panel: Panel; record?: CommunityPanelRecord }> {
    const found = await this.findPanel(place, id);
    if (found) return found;
    const ids = (await this.listPanels(place)).map((panel) => panel.id);
    throw new TableRoundError('panel_unknown', `unknown panel ${id}`, { publicMessage: `There is no panel “${id.slice(0, 40)}”. Panels: ${ids.join(', ')}.` });
  }

  /** Validates and saves a panel of the community's (new, or a new version of its own). */
  async savePanel(place: PlaceAddress, person: Person, input: unknown, expectedVersion?: number): Promise<CommunityPanelRecord> {
    requireManager(person, 'change panels');
    const panel = this.validate(input);
    const record = await this.deps.panels.save(communityOf(place), panel, person, expectedVersion);
    await this.deps.onSaved?.(asPanel(record.panel)).catch(() => undefined);
    return record;
  }

  /**
   * `/panel new`: the model drafts a panel for `purpose` (panel-drafter.ts), kept for an hour
   * under a draft id for Save (`keepDraft`), Regenerate (`redraft`) or Cancel (`discardDraft`).
   */
  async draft(place: PlaceAddress, person: Person, purpose: string): Promise<PanelDraft> {
    requireManager(person, 'draft panels');
    const text = purpose.trim();
    if (text.length < 3) throw new TableRoundError('bad_command', 'empty purpose', { publicMessage: 'Say what the panel is for, e.g. /panel new a tea house’s regulars and suppliers.' });
    return this.writeDraft(place, person, randomUUID().replace(/-/g, '').slice(0, 12), text.slice(0, 500));
  }

  async redraft(place: PlaceAddress, person: Person, draftId: string): Promise<PanelDraft> {
    requireManager(person, 'draft panels');
    const draft = await this.readDraft(place, draftId);
    return this.writeDraft(place, person, draftId, draft.purpose);
  }

  async keepDraft(place: PlaceAddress, person: Person, draftId: string): Promise<CommunityPanelRecord> {
    requireManager(person, 'change panels');
    const draft = await this.readDraft(place, draftId);
    const record = await this.savePanel(place, person, draft.panel, 0);
    await this.deps.redis.del(this.draftKey(place, draftId));
    return record;
  }

  async discardDraft(place: PlaceAddress, person: Person, draftId: string): Promise<boolean> {
    requireManager(person, 'draft panels');
    return (await this.deps.redis.del(this.draftKey(place, draftId))) === 1;
  }

  private draftKey(place: PlaceAddress, draftId: string): string {
    if (!/^[a-f0-9]{12}$/.test(draftId)) throw new TableRoundError('bad_command', 'bad draft id', { publicMessage: 'That draft is not known; start one with /panel new.' });
    return this.deps.keys.panelDraft(communityOf(place), draftId);
  }

  private async readDraft(place: PlaceAddress, draftId: string): Promise<PanelDraft> {
    const raw = await this.deps.redis.get(this.draftKey(place, draftId));
    if (!raw) throw new TableRoundError('bad_command', `draft ${draftId} gone`, { publicMessage: 'That draft has expired or was already saved or cancelled; start one with /panel new.' });
    return JSON.parse(raw) as PanelDraft;
  }

  private async writeDraft(place: PlaceAddress, person: Person, draftId: string, purpose: string): Promise<PanelDraft> {
    const { models, config } = this.deps;
    if (!models) throw new TableRoundError('model_not_configured', 'no model for drafts', { publicMessage: 'Drafting panels needs a chat model, which this bot has not configured.' });
    const taken = new Set((await this.listPanels(place)).map((panel) => panel.id));
    const panel = await draftPanel(
      models,
      { purpose, personas: [Math.min(4, config.COMMUNITY_PANEL_PERSONAS_MAX), config.COMMUNITY_PANEL_PERSONAS_MAX], takenPanelIds: taken, validate: (input) => this.validate(input, { distinctRoles: true }) },
      { onUsage: (usage) => this.deps.chargePerson?.(place.platform, person.id, usage.promptTokens + usage.completionTokens) },
    );
    const draft: PanelDraft = { draftId, purpose, panel };
    await this.deps.redis.set(this.draftKey(place, draftId), JSON.stringify(draft), 'EX', draftSeconds);
    return draft;
  }

  /** The checks a panel must pass to be saved; a draft must also seat every persona in a role of its own. */
  validate(input: unknown, options: { distinctRoles?: boolean } = {}): CommunityPanel {
    return validateCommunityPanel(input, { panels: this.deps.config.COMMUNITY_PANELS_MAX, personas: this.deps.config.COMMUNITY_PANEL_PERSONAS_MAX }, new Set(this.deps.builtIns.keys()), options);
  }

  /**
   * One persona's fields changed (a modal on Discord and Slack), saved as the panel's next
   * version; refused when someone saved the panel since `expectedVersion` was read.
   */
  async editPersona(place: PlaceAddress, person: Person, panelId: string, personaId: string, fields: Partial<Record<EditableField, string>>, expectedVersion: number): Promise<CommunityPanelRecord> {
    requireManager(person, 'change panels');
    const { record } = await this.requirePanel(place, panelId);
    if (!record) throw new TableRoundError('not_allowed', `built-in ${panelId}`, { publicMessage: `“${panelId}” is a built-in panel; save a copy under a new id to change it.` });
    if (!record.panel.personas.some((persona) => persona.id === personaId)) throw new TableRoundError('bad_command', `no persona ${personaId}`, { publicMessage: `${panelId} has no persona “${personaId.slice(0, 40)}”.` });
    const changed = Object.fromEntries(editableFields.filter((field) => typeof fields[field] === 'string').map((field) => [field, fields[field]!]));
    const personas = record.panel.personas.map((persona) => (persona.id === personaId ? { ...persona, ...changed } : persona));
    return this.savePanel(place, person, { ...record.panel, personas }, expectedVersion);
  }

  async deletePanel(place: PlaceAddress, person: Person, id: string): Promise<void> {
    requireManager(person, 'delete panels');
    if (this.deps.builtIns.has(id)) throw new TableRoundError('not_allowed', `built-in ${id}`, { publicMessage: `“${id}” is a built-in panel; it cannot be deleted from chat.` });
    if (!(await this.deps.panels.delete(communityOf(place), id))) await this.requirePanel(place, id);
  }

  /**
   * Adds a persona from a character card (Character Card V2/V3 JSON, or a PNG carrying one) to a
   * panel of the community's, as its last speaker. Says what the card had that a persona does not.
   */
  async importPersona(place: PlaceAddress, person: Person, panelId: string, card: Uint8Array | string): Promise<{ record: CommunityPanelRecord; imported: ImportedPersona }> {
    requireManager(person, 'change panels');
    const { record } = await this.requirePanel(place, panelId);
    if (!record) throw new TableRoundError('not_allowed', `built-in ${panelId}`, { publicMessage: `“${panelId}” is a built-in panel; import into one of this community's own panels.` });
    const imported = importCharacterCard(card, { takenIds: new Set(record.panel.personas.map((persona) => persona.id)) });
    const panel = this.validate({ ...record.panel, personas: [...record.panel.personas, imported.persona] });
    return { record: await this.deps.panels.save(communityOf(place), panel, person, record.version), imported };
  }

  /** A character card file a manager attached (checked before it is downloaded: only managers import). */
  async fetchCard(place: PlaceAddress, person: Person, reference: ImageReference): Promise<Uint8Array> {
    requireManager(person, 'change panels');
    const fetchFile = this.deps.fetchFile;
    if (!fetchFile) throw new TableRoundError('bad_command', 'no file download here', { publicMessage: 'Files cannot be read here; paste the card’s JSON instead.' });
    return new Uint8Array(await fetchFile(place.platform, reference, MAX_CARD_BYTES));
  }

  settings(place: PlaceAddress): Promise<ChannelSettings> {
    return this.deps.settings.read(communityOf(place), place.channel);
  }

  /** Checks and sets one setting of the channel; returns it as stored. */
  async setSetting(place: PlaceAddress, person: Person, key: string, value: string): Promise<{ key: SettingKey; value: string }> {
    requireManager(person, 'change this channel’s settings');
    const known = settingKey(key);
    const checks = { config: this.deps.config, panelIds: (await this.listPanels(place)).map((panel) => panel.id), presetIds: [...(this.deps.presets?.keys() ?? [])] };
    const stored = checkSetting(known, value, checks);
    await this.deps.settings.set(communityOf(place), place.channel, known, stored);
    return { key: known, value: stored };
  }

  /** True when the setting was set. */
  async resetSetting(place: PlaceAddress, person: Person, key: string): Promise<{ key: SettingKey; wasSet: boolean }> {
    requireManager(person, 'change this channel’s settings');
    const known = settingKey(key);
    return { key: known, wasSet: await this.deps.settings.reset(communityOf(place), place.channel, known) };
  }
}

/** Whether the channel's `starters` setting lets this person start a session. */
export function mayStart(settings: ChannelSettings, person: Person): boolean {
  const starters = settings.starters ?? 'everyone';
  if (starters === 'everyone' || person.managesCommunity) return true;
  if (starters === 'managers') return Boolean(person.isManager);
  const role = starters.startsWith('role:') ? starters.slice('role:'.length) : undefined;
  return role !== undefined && (person.roles ?? []).includes(role);
}

/** Refuses a start the channel's settings do not allow (switched off, or not among its starters). */
export function checkStarter(settings: ChannelSettings, person: Person): void {
  if (settings.enabled === 'off') throw new TableRoundError('not_allowed', 'channel switched off', { publicMessage: 'Roundtables are switched off in this channel.' });
  if (!mayStart(settings, person)) {
    throw new TableRoundError('not_allowed', `${person.id} may not start here`, {
      publicMessage: settings.starters === 'managers' ? 'In this channel only managers start roundtables.' : 'In this channel only people with the starters’ role start roundtables.',
    });
  }
}
