/**
 * /imagine: a concept-image prompt from the topic, the voted keywords (or the current candidates)
 * and the person's words, sent to the image model; the images are posted by the moderator.
 *
 * Charging: every image the provider returned (at most the count asked for) is charged to the
 * session and to the person who asked, and counts towards SESSION_IMAGE_LIMIT — also when it is
 * then refused (a download from a forbidden address, bytes that are not an image, too large): the
 * provider billed it all the same. One place charges, as soon as the provider has answered
 * (`onImagesReturned`), so the success and the failure paths cannot disagree. An answer that was
 * never read whole (refused while streaming) returned nothing countable and is not charged.
 */
import { asTableRoundError } from '../../errors.ts';
import type { ImageRecord, StepOf } from '../../session/session-types.ts';
import { sha256Hex } from '../../images/content-hash.ts';
import { thumbnailJpeg } from '../../images/thumbnail.ts';
import { defineStep } from '../step-kind.ts';
import { isStopRequested } from '../../pipeline/stop-signals.ts';
import { describeForPerson } from '../describe-error.ts';
import { joinList, t } from '../../i18n/translate.ts';
import { callAccounting, entry, moderator, postOnce, type StepContext, type StepOutcome } from '../step-context.ts';
import { platformOfSession } from '../../session/session-id.ts';

export async function runImagine(context: StepContext, step: StepOf<'imagine'>): Promise<StepOutcome> {
  const candidates = await context.deps.store.candidates(context.sessionId);
  const keywords = context.meta.votedKeywords.length ? context.meta.votedKeywords : candidates.slice(0, 6).map((candidate) => candidate.label);
  const prompt = context.deps.templates.render('imagine', {
    topic: context.meta.topic,
    keywords: keywords.length ? keywords.join(', ') : '(none yet — follow the topic)',
    personPrompt: step.prompt ? `Requested by a participant: ${step.prompt}` : '',
  });
  const { config } = context.deps;
  const { language } = context.meta;
  const generated = context.meta.imagesGenerated ?? 0;
  const count = Math.min(config.IMAGE_COUNT, config.SESSION_IMAGE_LIMIT - generated);
  if (count <= 0) {
    await postOnce(context, 'imagine-limit', moderator, t(language, 'imagine.limit', { limit: config.SESSION_IMAGE_LIMIT }));
    return {};
  }
  let returned = 0;
  const chargeReturned = async (imageCount: number) => {
    returned = imageCount;
    await chargeImages(context, step, imageCount);
  };
  try {
    const images = await context.deps.models.generateImages(prompt, count, { logger: context.logger, ...callAccounting(context), onImagesReturned: chargeReturned });
    const text = t(language, 'imagine.posted', {
      name: step.from.displayName,
      prompt: step.prompt ? t(language, 'imagine.postedPrompt', { prompt: step.prompt }) : '',
      keywords: joinList(language, keywords) || t(language, 'imagine.noKeywords'),
    });
    await postOnce(
      context,
      'imagine',
      moderator,
      text,
      images.map((bytes, index) => ({ filename: `concept-${context.seq}-${index + 1}.${isJpeg(bytes) ? 'jpg' : 'png'}`, contentType: isJpeg(bytes) ? 'image/jpeg' : 'image/png', bytes, description: t(language, 'imagine.imageDescription', { number: index + 1 }) })),
    );
    const concepts = await conceptRecords(context, images, prompt);
    return {
      // What was charged (every image returned), as on the failure path.
      meta: { stage: 'paused', imagesGenerated: generated + returned },
      images: concepts,
      transcript: [entry(context, { kind: 'moderator', speakerId: 'moderator', speakerName: 'Moderator', text: `${text}\nPrompt: ${prompt}`, ...(concepts.length ? { images: concepts.map((image) => image.hash) } : {}) })],
    };
  } catch (error) {
    // A person stopped it: nothing to say about a failure (the stop notice follows).
    if (isStopRequested(context.signal)) throw error;
    const coded = asTableRoundError(error);
    // The model's failures and an unusable result (a refused or non-image download) are told at
    // once; another attempt would only ask (and pay) again.
    if (!coded.code.startsWith('model_') && !coded.code.startsWith('image_')) throw error;
    context.logger.warn({ err: coded, imagesReturned: returned }, 'image generation failed');
    await postOnce(context, 'imagine-failed', moderator, t(language, 'imagine.failed', { reason: describeForPerson(coded, language) }));
    // Returned but refused: paid for, so counted against the session's image limit too.
    return returned > 0 ? { meta: { imagesGenerated: generated + returned } } : {};
  }
}

/** Charges `imageCount` images to the session and to the person who asked, at IMAGE_TOKEN_COST each; a failed charge is logged, never fatal. */
async function chargeImages(context: StepContext, step: StepOf<'imagine'>, imageCount: number): Promise<void> {
  if (imageCount <= 0) return;
  const platform = platformOfSession(context.sessionId);
  await context.deps.store
    .addUsage(context.sessionId, 0, imageCount * context.deps.config.IMAGE_TOKEN_COST, { platform, personId: step.from.id })
    .catch((error: unknown) => context.logger.warn({ err: error, imageCount }, 'could not charge the generated images'));
}

/** The concept images as image records (for the session record) with their thumbnails kept; best effort. */
async function conceptRecords(context: StepContext, images: Buffer[], prompt: string): Promise<ImageRecord[]> {
  const records: ImageRecord[] = [];
  for (const [index, bytes] of images.entries()) {
    try {
      const { jpeg, width, height } = await thumbnailJpeg(bytes);
      const hash = sha256Hex(bytes);
      await context.deps.store.saveThumbnail(context.sessionId, hash, jpeg);
      records.push({ hash, kind: 'concept', description: prompt, filename: `concept-${context.seq}-${index + 1}.${isJpeg(bytes) ? 'jpg' : 'png'}`, width, height, from: 'moderator', at: Date.now() });
    } catch (error) {
      context.logger.warn({ err: error }, 'could not keep a thumbnail of a concept image');
    }
  }
  return records;
}

function isJpeg(bytes: Buffer): boolean {
  return bytes[0] === 0xff && bytes[1] === 0xd8;
}

export const imagineStep = defineStep({ kind: 'imagine', run: runImagine, usesModel: true, stage: () => ({ stage: 'imagine' }), describe: (_step, _panel, language) => t(language, 'step.imagine') });
