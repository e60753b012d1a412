/**
 * Steps where one persona speaks: introduction, a discussion turn, a reply to a person, a
 * reflection after the role switch, and an image story. Each prompt is fitted to the persona
 * model's window with a completion cap from the kind's target length (prompt-builder.ts), and
 * each post is cut to that length (sentence-cut.ts); the prompt's size against the window is
 * recorded in `meta.promptStats` for /status.
 */
import { z } from 'zod';
import { lazyChild } from '../../logging/lazy-child.ts';
import { TableRoundError } from '../../errors.ts';
import type { StepOf } from '../../session/session-types.ts';
import { defineStep, personaName } from '../step-kind.ts';
import { imageStoryPrompt, introductionPrompt, reflectionPrompt, turnPrompt } from '../prompt-builder.ts';
import { currentRoleTitle } from '../session-context.ts';
import { finishAnswer } from '../../prompts/sentence-cut.ts';
import { t } from '../../i18n/translate.ts';
import { callAccounting, entry, personaById, promptInputs, postOnce, earlierPayload, savePayload, type StepContext, type StepOutcome, cleanSpeech } from '../step-context.ts';
import { speak } from '../step-context.ts';

type SpeechStep = StepOf<'introduction'> | StepOf<'turn'> | StepOf<'image-story'>;

export async function runSpeechStep(context: StepContext, step: SpeechStep): Promise<StepOutcome> {
  const persona = personaById(context, step.personaId);
  if (!persona) throw new TableRoundError('internal', `unknown persona ${step.personaId} in ${context.panel.id}`);
  const inputs = promptInputs(context);
  const role = Object.keys(context.meta.roleMap).length ? currentRoleTitle(context.panel, context.meta, persona) : undefined;

  if (step.kind === 'image-story') return runImageStory(context, step, persona);

  const prompt =
    step.kind === 'introduction'
      ? introductionPrompt(inputs, persona)
      : step.reason === 'reflection'
        ? reflectionPrompt(inputs, persona)
        : turnPrompt(inputs, persona, step.round, step.reason);
  const key = step.kind === 'introduction' ? `intro:${persona.id}` : `turn:${persona.id}:${step.round}:${step.reason}`;
  const text = await speak(context, persona, key, prompt);
  const notes: Record<string, string> = {};
  if (step.kind === 'introduction') notes[`${persona.id}:introduction`] = text;
  if (step.kind === 'turn' && step.reason === 'reflection') notes[`${persona.id}:role_switch`] = text;
  return {
    meta: { promptStats: prompt.stats },
    transcript: [entry(context, { kind: 'persona', speakerId: persona.id, speakerName: persona.displayName, text, ...(role ? { role } : {}) })],
    notes,
  };
}

const storySchema = z.object({
  story: z.string().min(1),
  keywords: z.array(z.string().min(1).max(60)).max(10),
});

/**
 * The story is structured output (story + keywords), so it is posted whole, not streamed. The
 * saved payload holds the story as posted (already cut), so a re-run posts the same text.
 */
async function runImageStory(context: StepContext, step: StepOf<'image-story'>, persona: NonNullable<ReturnType<typeof personaById>>): Promise<StepOutcome> {
  const image = context.images.find((record) => record.hash === step.imageHash);
  if (!image) throw new TableRoundError('internal', `image ${step.imageHash} has no description`);
  const key = `story:${persona.id}:${step.imageHash}`;
  // A re-run after the story was posted reuses it rather than asking the model again.
  const earlier = earlierPayload(context, key);
  const prompt = imageStoryPrompt(promptInputs(context), persona, image.description);
  let value: z.infer<typeof storySchema>;
  if (earlier) {
    value = storySchema.parse(JSON.parse(earlier));
  } else {
    const answer = await context.deps.models.json(storySchema, 'image_story', {
      messages: prompt.messages,
      model: persona.model,
      maxTokens: prompt.maxTokens,
      logger: lazyChild(context.logger, { persona: persona.id }),
      ...callAccounting(context, persona.id),
    });
    // A JSON answer that reached its cap rarely parses; one that did may hold an unfinished story.
    value = { ...answer.value, story: finishAnswer(cleanSpeech(answer.value.story, persona), { targetChars: prompt.targetChars, finishReason: answer.finishReason }) };
  }
  const story = cleanSpeech(value.story, persona);
  const identity = await context.deps.identityOf(persona);
  if (earlier === undefined) await savePayload(context, key, JSON.stringify(value));
  await postOnce(context, key, { kind: 'persona', persona: identity }, story);
  return {
    meta: { promptStats: prompt.stats },
    transcript: [entry(context, { kind: 'persona', speakerId: persona.id, speakerName: persona.displayName, text: story, images: [step.imageHash] })],
    notes: {
      [`${persona.id}:image_story:${step.imageHash}`]: story,
      [`${persona.id}:image_keywords:${step.imageHash}`]: JSON.stringify(value.keywords),
    },
  };
}

export const introductionStep = defineStep({
  kind: 'introduction',
  run: runSpeechStep,
  usesModel: true,
  isPersonaTurn: true,
  stage: () => ({ stage: 'opening' }),
  describe: (step, panel, language) => t(language, 'step.introduction', { name: personaName(panel, step.personaId) }),
});

export const turnStep = defineStep({
  kind: 'turn',
  run: runSpeechStep,
  usesModel: true,
  buildsPrompt: true,
  isPersonaTurn: true,
  stage: (step, meta) => (step.reason === 'reflection' ? { stage: 'switch', round: step.round } : { stage: 'discussion', round: Math.max(meta.round, step.round) }),
  describe: (step, panel, language) => t(language, 'step.turn', { name: personaName(panel, step.personaId) }),
});

export const imageStoryStep = defineStep({
  kind: 'image-story',
  run: runSpeechStep,
  usesModel: true,
  buildsPrompt: true,
  isPersonaTurn: true,
  describe: (step, panel, language) => t(language, 'step.imageStory', { name: personaName(panel, step.personaId) }),
});
