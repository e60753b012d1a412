/**
 * An uploaded image: fetched inside the job (platform URLs expire), validated and prepared by the
 * image pipeline, described once per session per content hash by the vision model; then each
 * persona tells its story about it (follow-up steps).
 */
import { readLocalFile } from '../../images/read-local-file.ts';
import { thumbnailJpeg } from '../../images/thumbnail.ts';
import { asTableRoundError, TableRoundError } from '../../errors.ts';
import { describeForPerson } from '../describe-error.ts';
import { catalogText, t } from '../../i18n/translate.ts';
import type { StepOf } from '../../session/session-types.ts';
import { defineStep } from '../step-kind.ts';
import { callAccounting, earlierPayload, entry, moderator, postOnce, savePayload, type StepContext, type StepOutcome } from '../step-context.ts';
import type { ImageRecord } from '../../session/session-types.ts';
import { speakingPersonas } from '../speakers.ts';
import { isStopRequested } from '../../pipeline/stop-signals.ts';

export async function runImageDescribe(context: StepContext, step: StepOf<'image-describe'>): Promise<StepOutcome> {
  const { config } = context.deps;
  const { image } = step;
  const { language } = context.meta;
  try {
    if (image.size !== undefined && image.size > config.IMAGE_MAX_BYTES) {
      throw new TableRoundError('image_too_large', `announced ${image.size} bytes`, {
        text: catalogText('image.tooLarge', { filename: image.filename, size: megabytes(image.size), limit: megabytes(config.IMAGE_MAX_BYTES) }),
      });
    }
    const bytes = await fetchBytes(context, step);
    const prepared = await context.deps.images.prepareForVision(bytes, image.filename, image.size);
    const known = await context.deps.store.image(context.sessionId, prepared.hash);
    if (known) {
      await postOnce(context, 'image-seen', moderator, t(language, 'image.seen', { filename: image.filename }));
      return {};
    }
    // Described once: a re-run of this very step (after a crash) reuses the saved description.
    const descriptionKey = `describe:${prepared.hash}`;
    let description = earlierPayload(context, descriptionKey);
    if (description === undefined) {
      const result = await context.deps.models.describeImage(prepared.jpeg, context.deps.templates.render('vision-describe', {}), {
        logger: context.logger,
        ...callAccounting(context),
      });
      description = result.text;
      await savePayload(context, descriptionKey, description);
    }
    const record: ImageRecord = {
      hash: prepared.hash,
      description,
      filename: image.filename,
      width: prepared.width,
      height: prepared.height,
      from: step.from.displayName,
      at: Date.now(),
    };
    const text = t(language, 'image.shared', { name: step.from.displayName, filename: image.filename, description });
    // For the HTML transcript; the session goes on without it.
    await thumbnailJpeg(prepared.jpeg)
      .then(({ jpeg }) => context.deps.store.saveThumbnail(context.sessionId, prepared.hash, jpeg))
      .catch((error: unknown) => context.logger.warn({ err: error }, 'could not keep a thumbnail of the image'));
    await postOnce(context, 'image-description', moderator, text);
    return {
      images: [record],
      transcript: [entry(context, { kind: 'moderator', speakerId: 'moderator', speakerName: 'Moderator', text, images: [prepared.hash] })],
      // Muted personas tell no story.
      followUps: speakingPersonas(context.panel, context.meta).map((persona) => ({ kind: 'image-story', personaId: persona.id, imageHash: prepared.hash })),
    };
  } catch (error) {
    const coded = asTableRoundError(error);
    if (!coded.code.startsWith('image_') || isStopRequested(context.signal)) throw error;
    context.logger.info({ err: coded, filename: image.filename }, 'image refused');
    await postOnce(context, 'image-refused', moderator, `${step.from.displayName}: ${describeForPerson(coded, language)}`);
    return {};
  }
}

async function fetchBytes(context: StepContext, step: StepOf<'image-describe'>): Promise<Buffer> {
  const { image } = step;
  const maxBytes = context.deps.config.IMAGE_MAX_BYTES;
  if (image.kind === 'path') return readLocalFile(image.location, maxBytes);
  if (!context.adapter.fetchImage) throw new TableRoundError('image_download_failed', 'adapter cannot fetch images', { text: catalogText('image.notSupportedHere') });
  return context.adapter.fetchImage(image, maxBytes, context.signal);
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export const imageDescribeStep = defineStep({ kind: 'image-describe', run: runImageDescribe, usesModel: true, describe: (_step, _panel, language) => t(language, 'step.imageDescribe') });
