/** Every step kind TableRound ships, for the engine's registry (src/engine/step-kind.ts). */
import type { RegisteredStepKind } from '../step-kind.ts';
import { closingStep } from './closing-step.ts';
import { imageDescribeStep } from './image-steps.ts';
import { imagineStep } from './imagine-step.ts';
import { languageStep } from './language-step.ts';
import { noticeStep, openingStep, pauseStep, switchRolesStep } from './moderator-steps.ts';
import { imageStoryStep, introductionStep, turnStep } from './speech-steps.ts';
import { keywordsStep, personaBallotStep, pollCloseStep, pollOpenStep } from './vote-steps.ts';
import { roundStartStep, stoppedStep } from './run-control-steps.ts';

export const builtInSteps: readonly RegisteredStepKind[] = [
  openingStep,
  introductionStep,
  imageDescribeStep,
  imageStoryStep,
  turnStep,
  pauseStep,
  keywordsStep,
  pollOpenStep,
  personaBallotStep,
  pollCloseStep,
  switchRolesStep,
  imagineStep,
  noticeStep,
  languageStep,
  closingStep,
  roundStartStep,
  stoppedStep,
];
