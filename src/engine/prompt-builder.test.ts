import { describe, expect, it } from 'vitest';
import { loadPanel } from '../panels/panel-loader.ts';
import { Templates } from '../prompts/render-template.ts';
import { promptAllowance } from '../prompts/context-budget.ts';
import { estimateMessagesTokens } from '../prompts/token-estimate.ts';
import type { ImageRecord, SessionMeta, TranscriptEntry } from '../session/session-types.ts';
import { imageStoryPrompt, keywordMessages, personaCard, rulesPrompt, speakerLine, speakerPart, turnPrompt, type PromptFit, type PromptInputs } from './prompt-builder.ts';
import { cardsShared, sessionContext } from './session-context.ts';
import { foldDecision } from './session-budget.ts';
import { fitTranscriptPrompt } from './transcript-prompt.ts';

const templates = new Templates('prompts/templates');
const panel = loadPanel('prompts/panels/product-strategy');
const speaker = panel.personas[0]!;

function meta(fields: Partial<SessionMeta> = {}): SessionMeta {
  return {
    sessionId: 'terminal:c:t', topic: 'A lamp made of felt', panelId: panel.id, stage: 'discussion', round: 2, autoRounds: 2, status: 'active',
    starter: { id: 'u', displayName: 'Ana' }, createdAt: 0, updatedAt: 0, seq: 0, epoch: 0, revivals: 0, agenda: [], roleMap: {},
    rollingSummary: '', summarisedThrough: 0, replyCursor: 0, votedKeywords: [], pollCount: 0, tokensPrompt: 0, tokensCompletion: 0, modelCalls: 0,
    ...fields,
  };
}

/** Entry `index` says so at its start ("#7 …"), padded to `chars` with sentences. */
function entries(count: number, chars: number, sentence = 'Felt keeps the warmth of home and the red wool carries the pattern. '): TranscriptEntry[] {
  return Array.from({ length: count }, (_, index) => {
    const persona = panel.personas[index % panel.personas.length]!;
    return { kind: 'persona', speakerId: persona.id, speakerName: persona.displayName, text: `#${index} ${sentence.repeat(Math.ceil(chars / sentence.length))}`.slice(0, chars), at: index, stage: 'discussion', round: 1 };
  });
}

function images(count: number, chars: number): ImageRecord[] {
  return Array.from({ length: count }, (_, index) => ({ hash: `h${index}`, description: `Image ${index}: ${'a red felt lamp on an oak table, warm light. '.repeat(Math.ceil(chars / 44))}`.slice(0, chars), filename: `i${index}.png`, width: 1, height: 1, from: 'Ana', at: index }));
}

function fitFor(windowTokens: number): PromptFit {
  return { chatModel: 'small-model', summaryModel: 'small-model', defaultMaxTokens: 900, windowOf: () => windowTokens };
}

function inputs(fields: Partial<PromptInputs> = {}): PromptInputs {
  return { templates, panel, meta: meta(), recent: entries(4, 300), images: [], fit: fitFor(8_192), ...fields };
}

/** The shown entries' numbers ("#7" → 7), in prompt order. */
function shownEntries(text: string): number[] {
  return [...text.matchAll(/\] #(\d+) /g)].map((match) => Number(match[1]));
}

describe('where the persona cards go', () => {
  it('puts every panelist’s card in the shared context, so two personas’ calls differ only in their last lines', () => {
    const shared = inputs();
    expect(cardsShared(shared)).toBe(true);
    const [first, second] = [panel.personas[0]!, panel.personas[1]!];
    const one = String(turnPrompt(shared, first, 2, 'round').messages[1]!.content);
    const two = String(turnPrompt(shared, second, 2, 'round').messages[1]!.content);
    const context = sessionContext(shared);
    for (const persona of panel.personas) expect(context).toContain(persona.background);
    expect(one.startsWith(`${context}\n\n${speakerLine(templates, first)}`)).toBe(true);
    expect(two.startsWith(`${context}\n\n${speakerLine(templates, second)}`)).toBe(true);
    // Only the speaker line and the instruction follow the shared part.
    expect(one.length - context.length).toBeLessThan(personaCard(templates, first).length + 400);
    expect(speakerLine(templates, first).startsWith(`Speak now as ${first.displayName}.\n`)).toBe(true);
  });

  it('shows the cards with the roles as switched', () => {
    const [first, second] = [panel.personas[0]!, panel.personas[1]!];
    const switched = inputs({ meta: meta({ roleMap: { [first.id]: second.role, [second.id]: first.role } }) });
    const context = sessionContext(switched);
    expect(context).toContain(`${first.displayName} — ${second.roleTitle}: ${second.roleFocus}`);
    expect(context).toContain(`${second.displayName} — ${first.roleTitle}: ${first.roleFocus}`);
  });

  it('keeps the cards out of the shared part in a small window: a one-line roster, and each call ends with its speaker’s whole card', () => {
    const small = inputs({ fit: fitFor(2_048) });
    expect(cardsShared(small)).toBe(false);
    const context = sessionContext(small);
    for (const persona of panel.personas) {
      expect(context).toContain(`- ${persona.displayName} (${persona.roleTitle})`);
      expect(context).not.toContain(persona.background);
    }
    const user = String(turnPrompt(small, speaker, 2, 'round').messages[1]!.content);
    expect(user).toContain(`\n\n${personaCard(templates, speaker)}\n\n`);
  });
});

describe('prompt assembly within the window', () => {
  it('leaves a prompt that fits alone: the same text as without a window (prompt caches keep hitting)', () => {
    const small = inputs();
    const fitted = turnPrompt(small, speaker, 2, 'round');
    const unfitted = turnPrompt({ ...small, fit: undefined }, speaker, 2, 'round');
    expect(fitted.messages).toEqual(unfitted.messages);
    expect(fitted.messages[1]!.content).toContain(sessionContext(small));
  });

  it('fits a huge transcript, a long summary and long image descriptions into 8,192 tokens, rules, card and instruction intact', () => {
    const huge = inputs({ meta: meta({ rollingSummary: 'Earlier, the panel argued about felt and oak at length. '.repeat(200) }), recent: entries(30, 3_000), images: images(6, 3_000) });
    const prompt = turnPrompt(huge, speaker, 2, 'round');
    expect(prompt.stats.promptTokens).toBe(estimateMessagesTokens(prompt.messages));
    expect(prompt.stats.promptTokens).toBeLessThanOrEqual(promptAllowance({ windowTokens: 8_192, reserveTokens: prompt.maxTokens }));
    expect(prompt.stats).toMatchObject({ windowTokens: 8_192, reserveTokens: prompt.maxTokens, model: 'small-model' });
    expect(prompt.messages[0]).toEqual({ role: 'system', content: rulesPrompt(templates) });
    const user = String(prompt.messages[1]!.content);
    const instruction = templates.render('turn-round', { round: 2, minChars: 150, maxChars: 400 });
    expect(user.endsWith(`${speakerPart(huge, speaker)}\n\n${instruction}`)).toBe(true);
    expect(user).toContain('Topic of the roundtable: «A lamp made of felt»');
    // The oldest entries went first: what is shown is the newest, in order, ending with the last.
    const shown = shownEntries(user);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.at(-1)).toBe(29);
    expect(shown).toEqual(Array.from({ length: shown.length }, (_, index) => 30 - shown.length + index));
  });

  it('gives way in order: drops old entries before clipping any, clips before touching the summary', () => {
    const summary = 'The panel agreed on felt. '.repeat(20);
    const some = inputs({ meta: meta({ rollingSummary: summary }), recent: entries(20, 1_000) });
    const user = String(turnPrompt(some, speaker, 2, 'round').messages[1]!.content);
    const shown = shownEntries(user);
    expect(shown.length).toBeLessThan(20);
    expect(shown.at(-1)).toBe(19);
    // Entries shown are whole (1,000 characters is under the first clip) and the summary is intact.
    expect(user).not.toContain('…');
    expect(user).toContain(summary.trim());
  });

  it('fits Chinese, where every character is a token, and a window as small as 2,048', () => {
    const chinese = inputs({ meta: meta({ topic: '设计一盏毛毡灯', rollingSummary: '大家讨论了毛毡和橡木。'.repeat(300) }), recent: entries(25, 1_500, '毛毡保留了家的温暖，红色羊毛承载着图案。'), images: images(3, 1_000) });
    for (const windowTokens of [8_192, 2_048]) {
      const prompt = turnPrompt({ ...chinese, fit: fitFor(windowTokens) }, speaker, 2, 'round');
      expect(prompt.stats.promptTokens).toBeLessThanOrEqual(promptAllowance({ windowTokens, reserveTokens: prompt.maxTokens }));
      expect(String(prompt.messages[1]!.content)).toContain(speakerPart({ ...chinese, fit: fitFor(windowTokens) }, speaker));
    }
    // CJK answers need more tokens: the cap follows the script.
    expect(turnPrompt(chinese, speaker, 2, 'round').maxTokens).toBeGreaterThan(3 * turnPrompt(inputs(), speaker, 2, 'round').maxTokens);
  });

  it('leaves structured calls room for the schema and, without a cap of their own, for MODEL_MAX_TOKENS', () => {
    const huge = inputs({ recent: entries(30, 3_000) });
    const keywords = keywordMessages(huge, speaker, 5, 10);
    expect(estimateMessagesTokens(keywords)).toBeLessThanOrEqual(promptAllowance({ windowTokens: 8_192, reserveTokens: 900 }, { structured: true }));
    const story = imageStoryPrompt({ ...huge, images: images(1, 3_000) }, speaker, 'A red felt lamp. '.repeat(200));
    expect(story.messages.at(-1)?.content).toMatch(/3 to 6 short keywords/);
    expect(story.stats.promptTokens).toBeLessThanOrEqual(promptAllowance({ windowTokens: 8_192, reserveTokens: story.maxTokens }, { structured: true }));
    // Counted from the user message's parts, with the extra system message after it: the same as counting the messages.
    expect(story.stats.promptTokens).toBe(estimateMessagesTokens(story.messages));
  });
});

describe('fold decision and fold prompt', () => {
  it('asks for a fold when the session context outgrows the smallest window, keeping the newest entries', () => {
    expect(foldDecision(inputs())).toMatchObject({ overflows: false, keepEntries: 4 });
    const decision = foldDecision(inputs({ recent: entries(20, 1_200) }));
    expect(decision.overflows).toBe(true);
    expect(decision.keepEntries).toBeGreaterThanOrEqual(1);
    expect(decision.keepEntries).toBeLessThan(10);
    // The smallest window of the session's models decides.
    const mixed = { ...fitFor(128_000), windowOf: (model: string) => (model === 'small-model' ? 4_096 : 128_000), chatModel: 'big-model' };
    expect(foldDecision(inputs({ recent: entries(12, 1_200), fit: mixed })).overflows).toBe(true);
    expect(foldDecision(inputs({ recent: entries(12, 1_200), fit: { ...mixed, summaryModel: 'big-model' } })).overflows).toBe(false);
  });

  it('clips the entries it folds before leaving any out', () => {
    const older = entries(40, 1_000);
    const prompt = fitTranscriptPrompt({ render: (transcript, summary) => `Summary: ${summary}\n${transcript}`, entries: older, summary: 'Before.', windowTokens: 8_192, reserveTokens: 800, order: 'fold' });
    expect(prompt.fits).toBe(true);
    expect(shownEntries(String(prompt.messages[0]!.content))).toEqual(Array.from({ length: 40 }, (_, index) => index));
  });
});

describe('the rendered session context is remembered only for the same inputs', () => {
  it('renders anew when the step replaces its meta, its entries or its images, or the view shows other entries', () => {
    const base = inputs();
    const first = sessionContext(base);
    expect(sessionContext({ ...base })).toBe(first); // new inputs object, same parts: the same text
    const folded = { ...base, meta: { ...base.meta, rollingSummary: 'Earlier they chose wool over synthetic felt.' } };
    expect(sessionContext(folded)).toContain('Earlier they chose wool over synthetic felt.');
    const more = entries(5, 300);
    const grown = { ...base, recent: more };
    expect(shownEntries(sessionContext(grown))).toEqual([0, 1, 2, 3, 4]);
    const pictured = { ...grown, images: images(1, 80) };
    expect(sessionContext(pictured)).toContain('Image 0: a red felt lamp');
    const view = { entries: more.slice(3), droppedEntries: 3, entryClipChars: 1_200, imageClipChars: 600, summary: '' };
    expect(shownEntries(sessionContext(grown, view))).toEqual([3, 4]);
    // Entries that are not the newest of `recent` are rendered as given, never confused with a cached suffix.
    expect(shownEntries(sessionContext(grown, { ...view, entries: more.slice(0, 2) }))).toEqual([0, 1]);
    expect(sessionContext(base)).toBe(first);
  });
});
