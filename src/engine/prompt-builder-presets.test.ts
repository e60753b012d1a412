/** A session preset's turn-length scale in the prompts personas get: what they are asked to write, and the cap. */
import { describe, expect, it } from 'vitest';
import { loadPanel } from '../panels/panel-loader.ts';
import { loadPresets } from '../panels/presets.ts';
import { capFor, lengthTargets, scaleLength, shortestScaledChars } from '../prompts/answer-length.ts';
import { Templates } from '../prompts/render-template.ts';
import type { SessionMeta } from '../session/session-types.ts';
import { ballotPrompt, introductionPrompt, keywordPrompt, speechLengths, speechLengthsOf, turnPrompt, type PromptInputs } from './prompt-builder.ts';

const templates = new Templates('prompts/templates');
const panel = loadPanel('prompts/panels/product-strategy');
const speaker = panel.personas[0]!;
const presets = loadPresets('prompts/presets', { maxRounds: 5 });

function inputs(preset: string | undefined): PromptInputs {
  const meta: SessionMeta = {
    sessionId: 'terminal:c:t', topic: 'A lamp made of felt', panelId: panel.id, stage: 'discussion', round: 1, autoRounds: 1, status: 'active',
    starter: { id: 'u', displayName: 'Ana' }, createdAt: 0, updatedAt: 0, seq: 0, epoch: 0, revivals: 0, agenda: [], roleMap: {},
    rollingSummary: '', summarisedThrough: 0, replyCursor: 0, votedKeywords: [], pollCount: 0, tokensPrompt: 0, tokensCompletion: 0, modelCalls: 0,
    ...(preset ? { preset } : {}),
  };
  return { templates, panel, meta, recent: [], images: [], fit: { chatModel: 'gpt-4o-mini', summaryModel: 'gpt-4o-mini', defaultMaxTokens: 900, windowOf: () => 128_000 }, presets };
}

describe('a preset’s turn-length scale', () => {
  it('scales what a persona is asked to say and its cap: quick below standard below deep', () => {
    const [quick, standard, deep] = ['quick', 'standard', 'deep'].map((preset) => turnPrompt(inputs(preset), speaker, 1, 'round'));
    expect(standard!.targetChars).toBe(lengthTargets.round);
    expect(standard!.maxTokens).toBe(capFor(lengthTargets.round, { script: 'latin', model: 'gpt-4o-mini', windowTokens: 128_000 }));
    expect(quick!.targetChars).toBe(Math.round(lengthTargets.round * presets.get('quick')!.lengthScale));
    expect(quick!.maxTokens).toBeLessThan(standard!.maxTokens);
    expect(deep!.maxTokens).toBeGreaterThan(standard!.maxTokens);
    // The instruction names the scaled lengths.
    const [least, most] = speechLengthsOf(inputs('quick')).round;
    expect(String(quick!.messages[1]!.content)).toContain(`In ${least}–${most} characters`);
    expect(most).toBeLessThan(speechLengths.round[1]);
  });

  it('applies to introductions and replies too, but not to keyword lists or ballots', () => {
    expect(introductionPrompt(inputs('quick'), speaker).maxTokens).toBeLessThan(introductionPrompt(inputs('standard'), speaker).maxTokens);
    expect(turnPrompt(inputs('quick'), speaker, 1, 'reply').maxTokens).toBeLessThan(turnPrompt(inputs('standard'), speaker, 1, 'reply').maxTokens);
    expect(keywordPrompt(inputs('quick'), speaker, 5, 10).maxTokens).toBe(keywordPrompt(inputs('standard'), speaker, 5, 10).maxTokens);
    expect(ballotPrompt(inputs('quick'), speaker, ['a', 'b', 'c'], 2).maxTokens).toBe(ballotPrompt(inputs('standard'), speaker, ['a', 'b', 'c'], 2).maxTokens);
  });

  it('is 1 for a session without a preset (started before presets) and without the registry', () => {
    expect(turnPrompt(inputs(undefined), speaker, 1, 'round').targetChars).toBe(lengthTargets.round);
    expect(turnPrompt({ ...inputs('quick'), presets: undefined }, speaker, 1, 'round').targetChars).toBe(lengthTargets.round);
    expect(speechLengthsOf(inputs(undefined))).toEqual(speechLengths);
  });

  it('never asks for less than a sentence or two, and keeps "no minimum" at 0', () => {
    expect(scaleLength(100, 0.25)).toBe(shortestScaledChars);
    expect(scaleLength(0, 0.5)).toBe(0);
    expect(scaleLength(400, 1.5)).toBe(600);
  });
});
