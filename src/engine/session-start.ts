/**
 * A new session's meta, from the start request and the channel's settings (src/community/
 * channel-settings.ts): the topic cleaned, the panel (built-in, or the community's copied in),
 * the preset and rounds, the language, and what the session keeps of the settings. What the
 * request names itself wins over the channel's settings. Throws TableRoundError for a bad topic,
 * panel, preset, rounds or language.
 */
import type { Person, StartRequest } from '../adapter/inbound-event.ts';
import type { ChannelSettings } from '../community/channel-settings.ts';
import { TableRoundError } from '../errors.ts';
import { applyPreset, resolvePreset } from '../panels/presets.ts';
import { canonicalLanguage } from '../prompts/detect-language.ts';
import { resolveSessionLanguage } from '../prompts/session-language.ts';
import { buildSessionId } from '../session/session-id.ts';
import type { SessionMeta } from '../session/session-types.ts';
import { initialAgenda } from './agenda.ts';
import type { RoundtableDependencies } from './roundtable.ts';
import { sanitizeText } from './sanitize-text.ts';

export const maxTopicChars = 500;

export async function newSessionMeta(deps: Pick<RoundtableDependencies, 'config' | 'community' | 'presets'>, request: StartRequest, settings: ChannelSettings): Promise<SessionMeta> {
  const { config } = deps;
  const topic = sanitizeText(request.topic, maxTopicChars).text;
  if (!topic) throw new TableRoundError('bad_command', 'empty topic', { publicMessage: 'Give the roundtable a topic, e.g. “a paper-cut lamp for young buyers”.' });
  const panelId = request.panel ?? settings.panel ?? config.DEFAULT_PANEL;
  const { panel, record } = await deps.community.requirePanel(request.address, panelId);
  const preset = resolvePreset(deps.presets, request.preset ?? settings.preset, config.DEFAULT_PRESET);
  const channelRounds = settings.rounds === undefined ? undefined : Number(settings.rounds);
  const { panel: seated, rounds } = applyPreset(panel, preset, request.rounds ?? channelRounds, config.AUTO_ROUNDS);
  if (!Number.isInteger(rounds) || rounds < 0 || rounds > config.MAX_ROUNDS) {
    throw new TableRoundError('bad_command', `rounds ${rounds}`, { publicMessage: `Rounds must be a whole number from 0 to ${config.MAX_ROUNDS}.` });
  }
  const asked = request.language ?? (settings.language && settings.language !== 'auto' ? settings.language : undefined);
  const override = asked === undefined ? undefined : canonicalLanguage(asked);
  if (asked !== undefined && !override) {
    throw new TableRoundError('bad_command', `language ${asked}`, { publicMessage: `“${asked.slice(0, 20)}” is not a language code; use one such as zh, en or fr.` });
  }
  const sessionBudget = settings['session-budget'] ? Number(settings['session-budget']) : undefined;
  const sessionId = buildSessionId(request.address);
  const now = Date.now();
  const meta: SessionMeta = {
    sessionId,
    topic,
    panelId,
    stage: 'opening',
    round: 0,
    autoRounds: rounds,
    status: 'active',
    starter: starterOf(request.person),
    createdAt: now,
    updatedAt: now,
    seq: 0,
    epoch: 0,
    revivals: 0,
    agenda: initialAgenda(seated, rounds, request.images ?? [], request.person),
    preset: preset.id,
    roleMap: {},
    rollingSummary: '',
    summarisedThrough: 0,
    replyCursor: 0,
    votedKeywords: [],
    pollCount: 0,
    tokensPrompt: 0,
    tokensCompletion: 0,
    modelCalls: 0,
    language: resolveSessionLanguage({ override, topic, peopleMessages: [], defaultLanguage: config.DEFAULT_LANGUAGE }),
    ...(override ? { languageOverride: override } : {}),
    ...(record ? { customPanel: JSON.stringify(record.panel) } : {}),
    ...(Object.keys(settings).length > 0 ? { channelSettings: settings as Record<string, string> } : {}),
    ...(sessionBudget ? { tokenBudget: sessionBudget } : {}),
  };
  return meta;
}

/** The starter as the session keeps them (their roles are only needed to start). */
function starterOf(person: Person): Person {
  return { id: person.id, displayName: person.displayName, ...(person.isManager ? { isManager: true } : {}), ...(person.managesCommunity ? { managesCommunity: true } : {}) };
}
