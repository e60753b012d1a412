/**
 * The session context: the part of every persona prompt that all panelists of a session share —
 * topic, the panel's cards (or a one-line roster when they would crowd a small window), images,
 * the rolling summary and the discussion window — and what it is sized by (the smallest window
 * among the session's models). Built by prompt-builder.ts into each call, measured by
 * session-budget.ts to decide when to fold. Renders are remembered: a step renders the same
 * context for its fold decision and its prompt, and the next step's differs only at its end.
 */
import type { Panel, Persona } from '../panels/panel-schema.ts';
import type { Templates } from '../prompts/render-template.ts';
import { promptLanguage } from '../prompts/session-language.ts';
import { clipText } from '../prompts/sentence-cut.ts';
import { estimateTokens } from '../prompts/token-estimate.ts';
import type { SessionMeta, TranscriptEntry } from '../session/session-types.ts';
import type { PromptView } from './fit-to-window.ts';
import type { PromptInputs } from './prompt-builder.ts';

/** Longest excerpt of one transcript entry shown to a model (before any fitting clips harder). */
export const entryClipChars = 1_200;
/** Longest excerpt of one image description in the session context. */
export const imageClipChars = 600;

/** The panelist who holds a role (roles switch: `meta.roleMap`). */
export function roleOf(panel: Panel, roleId: string): Persona | undefined {
  return panel.personas.find((persona) => persona.role === roleId);
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

export function currentRoleTitle(panel: Panel, meta: SessionMeta, persona: Persona): string {
  const roleId = meta.roleMap[persona.id];
  return roleId ? (roleOf(panel, roleId)?.roleTitle ?? persona.roleTitle) : persona.roleTitle;
}
