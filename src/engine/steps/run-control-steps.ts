/**
 * The moderator's run-control lines: the notice that opens an automatic round, naming who speaks
 * in it (from the plan as it stands when the round starts: a persona muted or asked meanwhile is
 * accounted for), and the notice after `/stop`, naming who stopped the panel and how to go on.
 * No model call; a re-run posts the same line once (step outbox).
 */
import { joinList, t } from '../../i18n/translate.ts';
import type { StepOf } from '../../session/session-types.ts';
import { defineStep, personaName } from '../step-kind.ts';
import { commandUsage, entry, moderator, postOnce, type StepContext, type StepOutcome } from '../step-context.ts';

export async function runRoundStart(context: StepContext, step: StepOf<'round-start'>): Promise<StepOutcome> {
  const speakers = (context.upcoming ?? []).flatMap((next) => (next.kind === 'turn' && next.reason === 'round' && next.round === step.round ? [personaName(context.panel, next.personaId)] : []));
  if (speakers.length === 0) return {};
  const text = t(context.meta.language, 'round.post', { round: step.round, names: joinList(context.meta.language, speakers) });
  await postOnce(context, 'round-start', moderator, text);
  return { transcript: [entry(context, { kind: 'moderator', speakerId: 'moderator', speakerName: 'Moderator', text })] };
}

export async function runStopped(context: StepContext, step: StepOf<'stopped'>): Promise<StepOutcome> {
  const text = t(context.meta.language, 'stop.post', { name: step.by.displayName, ask: commandUsage(context, 'ask', '<persona> <text>'), resume: commandUsage(context, 'resume', '[rounds]') });
  await postOnce(context, 'stopped', moderator, text);
  return { meta: { stage: 'paused' }, transcript: [entry(context, { kind: 'moderator', speakerId: 'moderator', speakerName: 'Moderator', text })] };
}

export const roundStartStep = defineStep({
  kind: 'round-start',
  run: runRoundStart,
  usesModel: false,
  stage: (step) => ({ stage: 'discussion', round: step.round }),
  describe: (_step, _panel, language) => t(language, 'step.roundStart'),
});

export const stoppedStep = defineStep({ kind: 'stopped', run: runStopped, usesModel: false, describe: (_step, _panel, language) => t(language, 'step.stopNotice') });
