/**
 * Builds the messages for each kind of persona call, fitted to the model's context window. Pure:
 * everything comes in as arguments.
 *
 * Layout, for providers' prompt caches (exact-prefix matches of ≥ 1024 tokens):
 * 1. a system message with the roundtable rules — byte-identical for every call of every
 *    session (no topic, no names, no timestamps, no ids);
 * 2. the session context — topic, every panelist's card (background, role, way of speaking),
 *    rolling summary, the discussion window — identical for every panelist of the session, and
 *    append-only between two folds of the rolling summary (the window starts where the summary
 *    ends);
 * 3. last, who speaks now (one line) and the instruction.
 * So consecutive turns share everything but their last lines, whichever persona speaks (the
 * cards of the others cost their tokens in every call, and buy each panelist knowledge of whom
 * it is talking to). In a small window the cards stay out of the shared part (`cardsShared`,
 * session-context.ts): the context shows a one-line roster and each call ends with its speaker's
 * whole card. A persona-first layout caches only the ~300-token persona card, below any
 * provider's minimum.
 *
 * Fitting (`inputs.fit`): each prompt must fit window − completion cap − margin
 * (src/prompts/context-budget.ts). The step machine folds the rolling summary early when the
 * session's prompt would not fit (session-budget.ts), so a prompt normally fits as built and its
 * prefix stays cacheable; if it still does not, the session context alone gives way
 * (fit-to-window.ts: oldest entries first, then clipping, then the summary). The rules, the
 * persona card and the instruction are never cut. The completion cap of each call comes from its
 * target length (src/prompts/answer-length.ts), never from MODEL_MAX_TOKENS.
 *
 * Lengths: what a persona is asked to say, and so its cap, is scaled by the session preset's
 * turn-length scale (`meta.preset` looked up in `inputs.presets`, src/panels/presets.ts); keyword
 * lists and ballots keep their lengths.
 */
import type { ChatMessage } from '../models/model-gateway.ts';
import type { Panel, Persona } from '../panels/panel-schema.ts';
import type { Templates } from '../prompts/render-template.ts';
import { capFor, lengthTargets, scaleLength, speechTargets, type LengthTarget, type SpeechTarget } from '../prompts/answer-length.ts';
import { promptAllowance } from '../prompts/context-budget.ts';
import { cutWithin } from '../prompts/sentence-cut.ts';

import { dominantScriptOf, estimateJoinedTokens, estimateMessagesTokens, messageOverheadTokens, type Script } from '../prompts/token-estimate.ts';
import type { ImageRecord, PromptStats, SessionMeta, TranscriptEntry } from '../session/session-types.ts';
import { fitToWindow } from './fit-to-window.ts';
import { lengthScaleOf, type PresetRegistry } from '../panels/presets.ts';
import { cardsShared, roleOf, sessionContext } from './session-context.ts';

/** [least, most] characters each kind of speech is asked for; the most is its target length. At a preset's scale: `speechLengthsOf`. */
export const speechLengths = {
  introduction: [120, lengthTargets.introduction],
  round: [150, lengthTargets.round],
  reply: [100, lengthTargets.reply],
  reflection: [200, lengthTargets.reflection],
  story: [0, lengthTargets.story],
} as const satisfies Record<SpeechTarget, readonly [number, number]>;

/** `speechLengths` at the session preset's turn-length scale (1 without a preset). */
export function speechLengthsOf(inputs: Pick<PromptInputs, 'meta' | 'presets'>): Readonly<Record<SpeechTarget, readonly [number, number]>> {
  const scale = lengthScaleOf(inputs.presets, inputs.meta);
  let lengths = speechLengthsByScale.get(scale);
  if (lengths === undefined) {
    const scaled = (kind: SpeechTarget) => Object.freeze([scaleLength(speechLengths[kind][0], scale), scaleLength(speechLengths[kind][1], scale)] as const);
    lengths = Object.freeze({ introduction: scaled('introduction'), round: scaled('round'), reply: scaled('reply'), reflection: scaled('reflection'), story: scaled('story') });
    speechLengthsByScale.set(scale, lengths);
  }
  return lengths;
}

/** `speechLengthsOf` by scale, computed once each (a step asks several times; the presets' scales are few). */
const speechLengthsByScale = new Map<number, Readonly<Record<SpeechTarget, readonly [number, number]>>>();

const isSpeechTarget = (target: LengthTarget): target is SpeechTarget => (speechTargets as readonly LengthTarget[]).includes(target);


/** What prompts are fitted to; built per step from config and the gateway (step-context.ts). */
export interface PromptFit {
  /** The model of a persona that names none (CHAT_MODEL). */
  chatModel: string;
  /** The summary role's model (rolling summary, pause synthesis). */
  summaryModel: string;
  /** A model's context window in tokens (src/prompts/context-window.ts). */
  windowOf(model: string, role?: 'chat' | 'summary'): number;
  /** The cap the gateway sends for a call that names none (MODEL_MAX_TOKENS). */
  defaultMaxTokens: number;
}

export interface PromptInputs {
  templates: Templates;
  panel: Panel;
  meta: SessionMeta;
  /** The entries not folded into the rolling summary, oldest first (already windowed). */
  recent: TranscriptEntry[];
  images: ImageRecord[];
  /** Absent: prompts are built whole, without a window to fit. */
  fit?: PromptFit;
  /** The installed session presets: the session's (`meta.preset`) scales speaking lengths. Absent: scale 1. */
  presets?: PresetRegistry;
}

/** A persona call ready to send: its messages, its cap, and what the answer is cut to. */
export interface FittedPrompt {
  messages: ChatMessage[];
  /** `max_tokens` to send; the prompt left this much of the window free. */
  maxTokens: number;
  /** The answer's target length in characters (src/prompts/sentence-cut.ts cuts near it). */
  targetChars: number;
  stats: PromptStats;
}

/** The static first message of every persona call, rendered once per template set. */
const renderedRules = new WeakMap<Templates, string>();

export function rulesPrompt(templates: Templates): string {
  let rules = renderedRules.get(templates);
  if (rules === undefined) {
    rules = templates.render('roundtable-rules', {});
    renderedRules.set(templates, rules);
  }
  return rules;
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

/** Who speaks now, when every panelist's card is in the session context (`cardsShared`). */
export function speakerLine(templates: Templates, persona: Persona): string {
  return templates.render('persona-turn', { displayName: persona.displayName });
}

/** The speaking persona's part of a prompt, last: its whole card, or one line when the cards are shared. */
export function speakerPart(inputs: Pick<PromptInputs, 'templates' | 'panel' | 'fit'>, persona: Persona): string {
  return cardsShared(inputs) ? speakerLine(inputs.templates, persona) : personaCard(inputs.templates, persona);
}

/** The script of a step's entries by their array (a step replaces, never mutates, it), with the topic it was counted with. */
const entryScripts = new WeakMap<TranscriptEntry[], { topic: string; script: Script }>();

/** The script the session writes in, which sizes completions (CJK needs ~3× the tokens). */
export function sessionScript(inputs: Pick<PromptInputs, 'meta' | 'recent'>): Script {
  if (/^(zh|ja|ko)\b/i.test(inputs.meta.language ?? '')) return 'cjk';
  const known = entryScripts.get(inputs.recent);
  if (known?.topic === inputs.meta.topic) return known.script;
  const script = dominantScriptOf([inputs.meta.topic, ...inputs.recent.slice(-4).map((entry) => entry.text)]);
  entryScripts.set(inputs.recent, { topic: inputs.meta.topic, script });
  return script;
}

interface CallShape {
  target: LengthTarget;
  /** A JSON answer: the gateway appends its schema, the answer carries JSON syntax. */
  structured?: boolean;
  /** Reserve at least this much (a caller that sends no cap gets MODEL_MAX_TOKENS). */
  reserveAtLeast?: number;
  /** Messages after the persona's (an extra instruction). */
  after?: ChatMessage[];
}

function speech(inputs: PromptInputs, persona: Persona, instruction: string, shape: CallShape): FittedPrompt {
  const { templates, fit } = inputs;
  const model = persona.model ?? fit?.chatModel ?? '';
  const windowTokens = fit?.windowOf(model);
  const targetChars = isSpeechTarget(shape.target) ? speechLengthsOf(inputs)[shape.target][1] : lengthTargets[shape.target];
  const maxTokens = capFor(targetChars, { script: sessionScript(inputs), model, structured: shape.structured ?? false, ...(windowTokens ? { windowTokens } : {}) });
  const reserveTokens = Math.max(maxTokens, shape.reserveAtLeast ?? 0);
  const rules = rulesPrompt(templates);
  const personal = `${speakerPart(inputs, persona)}\n\n${instruction}`;
  const after = shape.after ?? [];
  let context: string;
  if (windowTokens === undefined) context = sessionContext(inputs);
  else {
    // Everything but the session context is fixed; the context gets what is left (+1: the "\n\n" joining it).
    const fixedTokens = estimateMessagesTokens([{ role: 'system', content: rules }, { role: 'user', content: personal }, ...after]) + 1;
    const allowanceTokens = promptAllowance({ windowTokens, reserveTokens }, { structured: shape.structured ?? false }) - fixedTokens;
    context = fitToWindow({ entries: inputs.recent, summary: inputs.meta.rollingSummary, render: (view) => sessionContext(inputs, view), allowanceTokens, order: 'window' }).text;
  }
  const messages: ChatMessage[] = [{ role: 'system', content: rules }, { role: 'user', content: `${context}\n\n${personal}` }, ...after];
  // estimateMessagesTokens(messages), with the user message counted from its parts (the context was counted while fitting it).
  const promptTokens = estimateMessagesTokens([messages[0]!, ...after]) + messageOverheadTokens + estimateJoinedTokens([context, '\n\n', personal]);
  return { messages, maxTokens, targetChars, stats: { promptTokens, windowTokens: windowTokens ?? 0, reserveTokens, model } };
}

export function introductionPrompt(inputs: PromptInputs, persona: Persona): FittedPrompt {
  const [minChars, maxChars] = speechLengthsOf(inputs).introduction;
  return speech(inputs, persona, inputs.templates.render('introduction', { minChars, maxChars }), { target: 'introduction' });
}

export function turnPrompt(inputs: PromptInputs, persona: Persona, round: number, reason: 'round' | 'reply'): FittedPrompt {
  if (reason === 'reply') {
    const [minChars, maxChars] = speechLengthsOf(inputs).reply;
    return speech(inputs, persona, inputs.templates.render('turn-reply', { minChars, maxChars }), { target: 'reply' });
  }
  const [minChars, maxChars] = speechLengthsOf(inputs).round;
  return speech(inputs, persona, inputs.templates.render('turn-round', { round, minChars, maxChars }), { target: 'round' });
}

export function reflectionPrompt(inputs: PromptInputs, persona: Persona): FittedPrompt {
  const [minChars, maxChars] = speechLengthsOf(inputs).reflection;
  const newRole = roleOf(inputs.panel, inputs.meta.roleMap[persona.id] ?? persona.role) ?? persona;
  const instruction = inputs.templates.render('reflection', {
    newRoleTitle: newRole.roleTitle,
    newRoleFocus: newRole.roleFocus,
    oldRoleTitle: persona.roleTitle,
    minChars,
    maxChars,
  });
  return speech(inputs, persona, instruction, { target: 'reflection' });
}

/** Longest image description quoted in an image story's instruction (the vision prompt asks ≤ 1,200). */
const storyDescriptionChars = 1_200;

export function imageStoryPrompt(inputs: PromptInputs, persona: Persona, description: string): FittedPrompt {
  const instruction = inputs.templates.render('image-story', { description: cutWithin(description, storyDescriptionChars), maxChars: speechLengthsOf(inputs).story[1] });
  const keywordsAsked: ChatMessage = { role: 'system', content: 'Also give 3 to 6 short keywords that your story brings out (in the language the session context names).' };
  return speech(inputs, persona, instruction, { target: 'story', structured: true, after: [keywordsAsked] });
}

/** A keyword call with its own cap (`maxTokens`); `keywordMessages` is the same prompt for a caller that sends none. */
export function keywordPrompt(inputs: PromptInputs, persona: Persona, minKeywords: number, maxKeywords: number, options: { reserveAtLeast?: number } = {}): FittedPrompt {
  return speech(inputs, persona, inputs.templates.render('keywords', { minKeywords, maxKeywords }), { target: 'keywords', structured: true, ...options });
}

export function ballotPrompt(inputs: PromptInputs, persona: Persona, candidates: string[], ballotSize: number, options: { reserveAtLeast?: number } = {}): FittedPrompt {
  const list = candidates.map((label, index) => `${index + 1}. ${label}`).join('\n');
  return speech(inputs, persona, inputs.templates.render('ballot', { candidates: list, ballotSize }), { target: 'ballot', structured: true, ...options });
}

/** For a caller that sends no cap: the prompt leaves the gateway's default cap free. */
export function keywordMessages(inputs: PromptInputs, persona: Persona, minKeywords: number, maxKeywords: number): ChatMessage[] {
  return keywordPrompt(inputs, persona, minKeywords, maxKeywords, { reserveAtLeast: inputs.fit?.defaultMaxTokens ?? 0 }).messages;
}

/** For a caller that sends no cap: the prompt leaves the gateway's default cap free. */
export function ballotMessages(inputs: PromptInputs, persona: Persona, candidates: string[], ballotSize: number): ChatMessage[] {
  return ballotPrompt(inputs, persona, candidates, ballotSize, { reserveAtLeast: inputs.fit?.defaultMaxTokens ?? 0 }).messages;
}
