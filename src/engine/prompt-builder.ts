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
 * it is talking to). In a small window the cards stay out of the shared part (`cardsShared`): the
 * context shows a one-line roster and each call ends with its speaker's whole card. A
 * persona-first layout caches only the ~300-token persona card, below any provider's minimum.
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
import { promptLanguage } from '../prompts/session-language.ts';
import { capFor, lengthTargets, scaleLength, speechTargets, type LengthTarget, type SpeechTarget } from '../prompts/answer-length.ts';
import { promptAllowance } from '../prompts/context-budget.ts';
import { clipText, cutWithin } from '../prompts/sentence-cut.ts';

export { clipText } from '../prompts/sentence-cut.ts';
import { dominantScriptOf, estimateJoinedTokens, estimateMessagesTokens, estimateTokens, messageOverheadTokens, type Script } from '../prompts/token-estimate.ts';
import type { ImageRecord, PromptStats, SessionMeta, TranscriptEntry } from '../session/session-types.ts';
import { fitToWindow, type PromptView } from './fit-to-window.ts';
import { lengthScaleOf, type PresetRegistry } from '../panels/presets.ts';

/** [least, most] characters each kind of speech is asked for; the most is its target length. At a preset's scale: `speechLengthsOf`. */
export const speechLengths = {
  introduction: [120, lengthTargets.introduction],
  round: [150, lengthTargets.round],
  reply: [100, lengthTargets.reply],
  reflection: [200, lengthTargets.reflection],
  story: [0, lengthTargets.story],
} as const satisfies Record<SpeechTarget, readonly [number, number]>;

/** `speechLengths` at the session preset's turn-length scale (1 without a preset). */
export function speechLengthsOf(inputs: Pick<PromptInputs, 'meta' | 'presets'>): Record<SpeechTarget, readonly [number, number]> {
  const scale = lengthScaleOf(inputs.presets, inputs.meta);
  const scaled = (kind: SpeechTarget) => [scaleLength(speechLengths[kind][0], scale), scaleLength(speechLengths[kind][1], scale)] as const;
  return { introduction: scaled('introduction'), round: scaled('round'), reply: scaled('reply'), reflection: scaled('reflection'), story: scaled('story') };
}

const isSpeechTarget = (target: LengthTarget): target is SpeechTarget => (speechTargets as readonly LengthTarget[]).includes(target);

/** Longest excerpt of one transcript entry shown to a model (before any fitting clips harder). */
export const entryClipChars = 1_200;
/** Longest excerpt of one image description in the session context. */
export const imageClipChars = 600;

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

export function roleOf(panel: Panel, roleId: string): Persona | undefined {
  return panel.personas.find((persona) => persona.role === roleId);
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

/** The smallest context window among the models that read this session (undefined: no fitting). */
export function sessionWindow(inputs: Pick<PromptInputs, 'panel' | 'fit'>): number | undefined {
  const { fit } = inputs;
  if (!fit) return undefined;
  const chatModels = new Set(inputs.panel.personas.map((persona) => persona.model ?? fit.chatModel));
  return Math.min(...[...chatModels].map((model) => fit.windowOf(model, 'chat')), fit.windowOf(fit.summaryModel, 'summary'));
}

/** Rendered rosters by template set, panel and role map (the same few for every step of a session). */
const renderedRosters = new WeakMap<Templates, WeakMap<Panel, Map<string, string>>>();
const rostersKeptPerPanel = 16;

/** Every panelist's card, as the table sees them now (roles as switched), in panel order. */
export function panelCards(templates: Templates, panel: Panel, meta: Pick<SessionMeta, 'roleMap'>): string {
  const byPanel = renderedRosters.get(templates) ?? new WeakMap<Panel, Map<string, string>>();
  renderedRosters.set(templates, byPanel);
  const byRoles = byPanel.get(panel) ?? new Map<string, string>();
  byPanel.set(panel, byRoles);
  const key = JSON.stringify(meta.roleMap);
  let roster = byRoles.get(key);
  if (roster === undefined) {
    roster = renderPanelCards(templates, panel, meta);
    if (byRoles.size >= rostersKeptPerPanel) byRoles.clear();
    byRoles.set(key, roster);
  }
  return roster;
}

function renderPanelCards(templates: Templates, panel: Panel, meta: Pick<SessionMeta, 'roleMap'>): string {
  return panel.personas
    .map((persona) => {
      const role = roleOf(panel, meta.roleMap[persona.id] ?? persona.role) ?? persona;
      return templates.render('panel-member', {
        displayName: persona.displayName,
        roleTitle: role.roleTitle,
        roleFocus: role.roleFocus,
        background: persona.background,
        speakingStyle: persona.speakingStyle,
      });
    })
    .join('\n');
}

/** Cards may take this share of the session's smallest window to be shared by every call. */
const sharedCardsWindowShare = 0.1;
const sharedCards = new WeakMap<Panel, Map<string, boolean>>();

/**
 * Whether every panelist's card goes into the session context, shared by every panelist's call
 * (so consecutive turns share all but their last lines, and each panelist knows whom it talks
 * to), rather than each speaker's own card at the end of its call. Shared unless the cards would
 * take more than a tenth of the smallest window among the session's models: in a small window
 * (a local model's 2–4 k tokens) the discussion itself needs the room. Fixed for a session (its
 * panel and models), so its prompts stay byte-stable.
 */
export function cardsShared(inputs: Pick<PromptInputs, 'templates' | 'panel' | 'fit'>): boolean {
  const windowTokens = sessionWindow(inputs);
  if (windowTokens === undefined) return true;
  const byWindow = sharedCards.get(inputs.panel) ?? new Map<string, boolean>();
  sharedCards.set(inputs.panel, byWindow);
  const key = String(windowTokens);
  let shared = byWindow.get(key);
  if (shared === undefined) {
    shared = estimateTokens(panelCards(inputs.templates, inputs.panel, { roleMap: {} })) <= windowTokens * sharedCardsWindowShare;
    byWindow.set(key, shared);
  }
  return shared;
}


/**
 * Formatted entries by clip length: every step renders its window's entries again (and fitting
 * several times), and word segmentation is not free. Entries are never mutated (a step appends
 * new ones; store/window-cache.ts keeps them frozen).
 */
const formattedEntries = new WeakMap<TranscriptEntry, Map<number, string>>();

export function formatEntry(entry: TranscriptEntry, clipChars = entryClipChars): string {
  const known = formattedEntries.get(entry);
  let formatted = known?.get(clipChars);
  if (formatted === undefined) {
    const who =
      entry.kind === 'person' ? `${entry.speakerName} (a person in the thread)` : entry.kind === 'moderator' ? 'Moderator' : entry.speakerName;
    formatted = `[${who}] ${entry.text.length > clipChars ? clipText(entry.text, clipChars) : entry.text}`;
    formattedEntries.set(entry, (known ?? new Map<number, string>()).set(clipChars, formatted));
  }
  return formatted;
}

/** Everything the session has to show, as it stands. */
export function wholeView(inputs: Pick<PromptInputs, 'recent' | 'meta'>): PromptView {
  return { entries: inputs.recent, droppedEntries: 0, entryClipChars, imageClipChars, summary: inputs.meta.rollingSummary };
}

/** A rendered session context and what it was rendered from (the inputs by identity: a step replaces, never mutates, them). */
interface RenderedContext {
  inputs: Pick<PromptInputs, 'templates' | 'panel' | 'meta' | 'recent' | 'images'>;
  cardsShared: boolean;
  shown: number;
  entryClipChars: number;
  imageClipChars: number;
  summary: string;
  text: string;
}

/** The last few contexts rendered, newest last: a step renders the same one for its fold decision and for its prompt. */
const renderedContexts: RenderedContext[] = [];
const renderedContextsKept = 4;

/** Whether `view` shows a newest part of `inputs.recent` (as every view of fit-to-window.ts does), so its length says which. */
function showsNewest(inputs: Pick<PromptInputs, 'recent'>, view: PromptView): boolean {
  const { recent } = inputs;
  const shown = view.entries.length;
  return shown === 0 || (shown <= recent.length && view.entries[0] === recent[recent.length - shown] && view.entries[shown - 1] === recent[recent.length - 1]);
}

/** The session context: of the history, what `view` shows (default: all of it). */
export function sessionContext(inputs: PromptInputs, view: PromptView = wholeView(inputs)): string {
  if (!showsNewest(inputs, view)) return renderSessionContext(inputs, view);
  const shared = cardsShared(inputs);
  const known = renderedContexts.find(
    (candidate) =>
      candidate.inputs.meta === inputs.meta &&
      candidate.inputs.recent === inputs.recent &&
      candidate.inputs.images === inputs.images &&
      candidate.inputs.panel === inputs.panel &&
      candidate.inputs.templates === inputs.templates &&
      candidate.cardsShared === shared &&
      candidate.shown === view.entries.length &&
      candidate.entryClipChars === view.entryClipChars &&
      candidate.imageClipChars === view.imageClipChars &&
      candidate.summary === view.summary,
  );
  if (known) return known.text;
  const text = renderSessionContext(inputs, view);
  const { templates, panel, meta, recent, images } = inputs;
  renderedContexts.push({ inputs: { templates, panel, meta, recent, images }, cardsShared: shared, shown: view.entries.length, entryClipChars: view.entryClipChars, imageClipChars: view.imageClipChars, summary: view.summary, text });
  if (renderedContexts.length > renderedContextsKept) renderedContexts.shift();
  return text;
}

function renderSessionContext(inputs: PromptInputs, view: PromptView): string {
  const { templates, panel, meta, images } = inputs;
  const switched = Object.keys(meta.roleMap).length > 0;
  const roster = cardsShared(inputs) ? panelCards(templates, panel, meta) : panel.personas.map((persona) => `- ${persona.displayName} (${currentRoleTitle(panel, meta, persona)})`).join('\n');
  const shownImages = view.imageClipChars > 0 ? images : [];
  return templates.render('session-context', {
    topic: meta.topic,
    language: promptLanguage(meta),
    panelCards: roster,
    roleSwitchNote: switched ? 'Roles have been switched: each panelist now speaks from the role shown in the roster.' : '',
    imagesNote: shownImages.length
      ? `Images shared in the thread:\n${shownImages.map((image, index) => `(${index + 1}) ${clipText(image.description, view.imageClipChars)}`).join('\n')}`
      : '',
    summaryNote: view.summary ? `Summary of the earlier discussion:\n${view.summary}` : '',
    recentTranscript: view.entries.length ? view.entries.map((entry) => formatEntry(entry, view.entryClipChars)).join('\n') : '(nothing yet)',
  });
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

export function currentRoleTitle(panel: Panel, meta: SessionMeta, persona: Persona): string {
  const roleId = meta.roleMap[persona.id];
  return roleId ? (roleOf(panel, roleId)?.roleTitle ?? persona.roleTitle) : persona.roleTitle;
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
