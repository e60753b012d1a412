/**
 * The moderator's steps: the opening post, the pause synthesis, the role switch announcement,
 * plain notices.
 */
import { detectLanguage } from '../../prompts/detect-language.ts';
import type { StepOf } from '../../session/session-types.ts';
import { defineStep } from '../step-kind.ts';
import { deriveRoleSwitch } from '../derangement.ts';
import { formatEntry, roleOf } from '../prompt-builder.ts';
import { commandHints, earlierPayload, entry, moderator, postOnce, recordUsage, savePayload, type StepContext, type StepOutcome } from '../step-context.ts';


export async function runOpening(context: StepContext): Promise<StepOutcome> {
  const { panel, meta } = context;
  const text = context.deps.templates.render('moderator-opening', {
    topic: meta.topic,
    panelName: panel.name,
    roster: panel.personas.map((persona) => `${persona.displayName} (${persona.roleTitle})`).join(', '),
    rounds: meta.autoRounds,
    commands: commandHints(context),
  });
  await postOnce(context, 'opening', moderator, text);
  return { transcript: [entry(context, { kind: 'moderator', speakerId: 'moderator', speakerName: 'Moderator', text })] };
}

export async function runNotice(context: StepContext, step: StepOf<'notice'>): Promise<StepOutcome> {
  await postOnce(context, 'notice', moderator, step.text);
  return {};
}

export async function runPause(context: StepContext): Promise<StepOutcome> {
  const transcript = context.recent.map(formatEntry).join('\n');
  const prompt = context.deps.templates.render('pause-synthesis', {
    topic: context.meta.topic,
    language: detectLanguage(context.meta.topic),
    maxChars: 900,
    transcript: `${context.meta.rollingSummary ? `(Earlier: ${context.meta.rollingSummary})\n` : ''}${transcript}`,
  });
  let synthesis = earlierPayload(context, 'pause');
  if (synthesis === undefined) {
    const result = await context.deps.models.chat({
      role: 'summary',
      messages: [{ role: 'user', content: prompt }],
      logger: context.logger,
      onUsage: (usage) => recordUsage(context, usage),
      ...(context.signal ? { signal: context.signal } : {}),
    });
    synthesis = result.text;
    await savePayload(context, 'pause', synthesis);
  }
  const text = `**Pause.** ${synthesis}\n\nWhat next? Write in the thread to steer the panel, or ${commandHints(context)}.`;
  await postOnce(context, 'pause', moderator, text);
  return {
    meta: { stage: 'paused' },
    transcript: [entry(context, { kind: 'moderator', speakerId: 'moderator', speakerName: 'Moderator', text: synthesis })],
  };
}

export async function runSwitchRoles(context: StepContext): Promise<StepOutcome> {
  const { panel } = context;
  // Seeded by the session and the step so that a retried step derives the same switch.
  let state = [...`${context.sessionId}:${context.seq}`].reduce((hash, character) => (hash * 31 + character.charCodeAt(0)) >>> 0, 7) || 1;
  const random = () => ((state = (state * 1_103_515_245 + 12_345) >>> 0) / 4_294_967_296);
  const roleMap = deriveRoleSwitch(panel.personas, random);
  const lines = panel.personas.map((persona) => {
    const role = roleOf(panel, roleMap[persona.id] ?? persona.role);
    return `${persona.displayName}: ${persona.roleTitle} → **${role?.roleTitle ?? persona.roleTitle}**`;
  });
  const text = `**Role switch.** Everyone now speaks from another role:\n${lines.join('\n')}`;
  await postOnce(context, 'switch', moderator, text);
  const round = context.meta.round + 1;
  return {
    meta: { roleMap, stage: 'switch', round },
    transcript: [entry(context, { kind: 'moderator', speakerId: 'moderator', speakerName: 'Moderator', text, round })],
    followUps: panel.personas.map((persona) => ({ kind: 'turn', personaId: persona.id, round, reason: 'reflection' })),
  };
}

export const openingStep = defineStep({ kind: 'opening', run: runOpening, usesModel: false, stage: () => ({ stage: 'opening' }), describe: () => 'the opening' });
export const noticeStep = defineStep({ kind: 'notice', run: runNotice, usesModel: false, describe: () => 'a notice' });
export const pauseStep = defineStep({ kind: 'pause', run: runPause, usesModel: true, buildsPrompt: true, describe: () => 'the moderator synthesis' });
export const switchRolesStep = defineStep({ kind: 'switch-roles', run: runSwitchRoles, usesModel: false, describe: () => 'the role switch' });
