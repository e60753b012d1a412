/**
 * Builds the messages for each kind of model call. Pure: everything comes in as arguments.
 *
 * Layout, for providers' prompt caches (exact-prefix matches of ≥ 1024 tokens):
 * 1. a system message with the roundtable rules — byte-identical for every call of every
 *    session (no topic, no names, no timestamps, no ids);
 * 2. the session context — topic, roster, rolling summary, the discussion window — identical
 *    for every panelist of the session, and append-only between two folds of the rolling summary
 *    (the window starts where the summary ends);
 * 3. last, the speaking persona's card and the instruction.
 * So consecutive turns share everything but their last lines, whichever persona speaks. (A
 * persona-first layout caches only the ~300-token persona card, below any provider's minimum.)
 * The window is bounded (CONTEXT_RECENT_TURNS + a fold slack, each entry clipped), so a prompt's
 * size stays bounded however long the thread grows.
 */
import type { ChatMessage } from '../models/model-gateway.ts';
import type { Panel, Persona } from '../panels/panel-schema.ts';
import type { Templates } from '../prompts/render-template.ts';
import { detectLanguage } from '../prompts/detect-language.ts';
import type { ImageRecord, SessionMeta, TranscriptEntry } from '../session/session-types.ts';

export const speechLengths = {
  introduction: [120, 300],
  round: [150, 400],
  reply: [100, 350],
  reflection: [200, 400],
  story: [0, 500],
} as const;

/** Longest excerpt of one transcript entry shown to a model. */
export const entryClipChars = 1_200;

export interface PromptInputs {
  templates: Templates;
  panel: Panel;
  meta: SessionMeta;
  /** The entries not folded into the rolling summary, oldest first (already windowed). */
  recent: TranscriptEntry[];
  images: ImageRecord[];
}

export function roleOf(panel: Panel, roleId: string): Persona | undefined {
  return panel.personas.find((persona) => persona.role === roleId);
}

/** The static first message of every persona call. */
export function rulesPrompt(templates: Templates): string {
  return templates.render('roundtable-rules', {});
}

export function personaCard(templates: Templates, persona: Persona): string {
  return templates.render('persona-card', {
    displayName: persona.displayName,
    background: persona.background,
    roleTitle: persona.roleTitle,
    roleFocus: persona.roleFocus,
    speakingStyle: persona.speakingStyle,
  });
}

export function formatEntry(entry: TranscriptEntry): string {
  const text = entry.text.length > entryClipChars ? `${entry.text.slice(0, entryClipChars)}…` : entry.text;
  const who =
    entry.kind === 'person' ? `${entry.speakerName} (a person in the thread)` : entry.kind === 'moderator' ? 'Moderator' : entry.speakerName;
  return `[${who}] ${text}`;
}

export function sessionContext(inputs: PromptInputs): string {
  const { templates, panel, meta, recent, images } = inputs;
  const roster = panel.personas.map((persona) => `${persona.displayName} (${currentRoleTitle(panel, meta, persona)})`).join('; ');
  const switched = Object.keys(meta.roleMap).length > 0;
  return templates.render('session-context', {
    topic: meta.topic,
    language: detectLanguage(meta.topic),
    panelRoster: roster,
    roleSwitchNote: switched ? 'Roles have been switched: each panelist now speaks from the role shown in the roster.' : '',
    imagesNote: images.length
      ? `Images shared in the thread:\n${images.map((image, index) => `(${index + 1}) ${image.description.slice(0, 600)}`).join('\n')}`
      : '',
    summaryNote: meta.rollingSummary ? `Summary of the earlier discussion:\n${meta.rollingSummary}` : '',
    recentTranscript: recent.length ? recent.map(formatEntry).join('\n') : '(nothing yet)',
  });
}

export function currentRoleTitle(panel: Panel, meta: SessionMeta, persona: Persona): string {
  const roleId = meta.roleMap[persona.id];
  return roleId ? (roleOf(panel, roleId)?.roleTitle ?? persona.roleTitle) : persona.roleTitle;
}

function speech(inputs: PromptInputs, persona: Persona, instruction: string): ChatMessage[] {
  return [
    { role: 'system', content: rulesPrompt(inputs.templates) },
    { role: 'user', content: `${sessionContext(inputs)}\n\n${personaCard(inputs.templates, persona)}\n\n${instruction}` },
  ];
}

export function introductionMessages(inputs: PromptInputs, persona: Persona): ChatMessage[] {
  const [minChars, maxChars] = speechLengths.introduction;
  return speech(inputs, persona, inputs.templates.render('introduction', { minChars, maxChars }));
}

export function turnMessages(inputs: PromptInputs, persona: Persona, round: number, reason: 'round' | 'reply'): ChatMessage[] {
  if (reason === 'reply') {
    const [minChars, maxChars] = speechLengths.reply;
    return speech(inputs, persona, inputs.templates.render('turn-reply', { minChars, maxChars }));
  }
  const [minChars, maxChars] = speechLengths.round;
  return speech(inputs, persona, inputs.templates.render('turn-round', { round, minChars, maxChars }));
}

export function reflectionMessages(inputs: PromptInputs, persona: Persona): ChatMessage[] {
  const [minChars, maxChars] = speechLengths.reflection;
  const newRole = roleOf(inputs.panel, inputs.meta.roleMap[persona.id] ?? persona.role) ?? persona;
  return speech(
    inputs,
    persona,
    inputs.templates.render('reflection', {
      newRoleTitle: newRole.roleTitle,
      newRoleFocus: newRole.roleFocus,
      oldRoleTitle: persona.roleTitle,
      minChars,
      maxChars,
    }),
  );
}

export function imageStoryMessages(inputs: PromptInputs, persona: Persona, description: string): ChatMessage[] {
  return speech(inputs, persona, inputs.templates.render('image-story', { description, maxChars: speechLengths.story[1] }));
}

export function keywordMessages(inputs: PromptInputs, persona: Persona, minKeywords: number, maxKeywords: number): ChatMessage[] {
  return speech(inputs, persona, inputs.templates.render('keywords', { minKeywords, maxKeywords }));
}

export function ballotMessages(inputs: PromptInputs, persona: Persona, candidates: string[], ballotSize: number): ChatMessage[] {
  const list = candidates.map((label, index) => `${index + 1}. ${label}`).join('\n');
  return speech(inputs, persona, inputs.templates.render('ballot', { candidates: list, ballotSize }));
}
