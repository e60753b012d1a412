/**
 * The moderator's steps: the opening post, the pause synthesis, the role switch announcement,
 * plain notices. The synthesis prompt is fitted to the summary model's window and its answer
 * capped and cut by its own target length (`lengthTargets.pause`), not by MODEL_MAX_TOKENS.
 * The moderator's own words come from the catalogs (src/i18n) in the session's language; the
 * synthesis is asked for in it (`promptLanguage`).
 */
import { promptLanguage } from '../../prompts/session-language.ts';
import { joinList, t } from '../../i18n/translate.ts';
import type { StepOf } from '../../session/session-types.ts';
import { defineStep } from '../step-kind.ts';
import { describeSettings } from '../../community/channel-settings.ts';
import { speakingPersonas } from '../speakers.ts';
import { deriveRoleSwitch } from '../derangement.ts';
import { sessionScript } from '../prompt-builder.ts';
import { roleOf } from '../session-context.ts';
import { fitTranscriptPrompt } from '../transcript-prompt.ts';
import { capFor, lengthTargets } from '../../prompts/answer-length.ts';
import { finishAnswer } from '../../prompts/sentence-cut.ts';
import { callAccounting, commandHints, earlierPayload, entry, moderator, postOnce, promptFit, savePayload, type StepContext, type StepOutcome } from '../step-context.ts';

export async function runOpening(context: StepContext): Promise<StepOutcome> {
  const { panel, meta } = context;
  const opening = t(meta.language, 'opening.post', {
    topic: meta.topic,
    panelName: panel.name,
    roster: joinList(meta.language, panel.personas.map((persona) => `${persona.displayName} (${persona.roleTitle})`)),
    rounds: meta.autoRounds,
    commands: commandHints(context),
  });
  // What the channel's managers set (src/community/channel-settings.ts), as the session read it at start.
  const settings = describeSettings(meta.channelSettings ?? {});
  const text = settings.length ? `${opening}\n${t(meta.language, 'opening.channelSettings', { settings: settings.join(' · ') })}` : opening;
  await postOnce(context, 'opening', moderator, text);
  return { transcript: [entry(context, { kind: 'moderator', speakerId: 'moderator', speakerName: 'Moderator', text })] };
}

export async function runNotice(context: StepContext, step: StepOf<'notice'>): Promise<StepOutcome> {
  await postOnce(context, 'notice', moderator, step.text);
  return {};
}

export async function runPause(context: StepContext): Promise<StepOutcome> {
  let synthesis = earlierPayload(context, 'pause');
  if (synthesis === undefined) {
    const fit = promptFit(context);
    const windowTokens = fit.windowOf(fit.summaryModel, 'summary');
    const targetChars = lengthTargets.pause;
    const maxTokens = capFor(targetChars, { script: sessionScript(context), model: fit.summaryModel, windowTokens });
    const prompt = fitTranscriptPrompt({
      render: (transcript, summary) =>
        context.deps.templates.render('pause-synthesis', {
          topic: context.meta.topic,
          language: promptLanguage(context.meta),
          maxChars: targetChars,
          transcript: `${summary ? `(Earlier: ${summary})\n` : ''}${transcript}`,
        }),
      entries: context.recent,
      summary: context.meta.rollingSummary,
      windowTokens,
      reserveTokens: maxTokens,
      order: 'window',
    });
    const result = await context.deps.models.chat({
      role: 'summary',
      messages: prompt.messages,
      maxTokens,
      logger: context.logger,
      ...callAccounting(context),
    });
    synthesis = finishAnswer(result.text, { targetChars, finishReason: result.finishReason });
    await savePayload(context, 'pause', synthesis);
  }
  const text = t(context.meta.language, 'pause.post', { synthesis, commands: commandHints(context) });
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
  const text = t(context.meta.language, 'switch.post', { lines: lines.join('\n') });
  await postOnce(context, 'switch', moderator, text);
  const round = context.meta.round + 1;
  return {
    meta: { roleMap, stage: 'switch', round },
    transcript: [entry(context, { kind: 'moderator', speakerId: 'moderator', speakerName: 'Moderator', text, round })],
    followUps: speakingPersonas(panel, context.meta).map((persona) => ({ kind: 'turn', personaId: persona.id, round, reason: 'reflection' })),
  };
}

export const openingStep = defineStep({ kind: 'opening', run: runOpening, usesModel: false, stage: () => ({ stage: 'opening' }), describe: (_step, _panel, language) => t(language, 'step.opening') });
export const noticeStep = defineStep({ kind: 'notice', run: runNotice, usesModel: false, describe: (_step, _panel, language) => t(language, 'step.notice') });
export const pauseStep = defineStep({ kind: 'pause', run: runPause, usesModel: true, buildsPrompt: true, describe: (_step, _panel, language) => t(language, 'step.pause') });
export const switchRolesStep = defineStep({ kind: 'switch-roles', run: runSwitchRoles, usesModel: false, describe: (_step, _panel, language) => t(language, 'step.switchRoles') });
