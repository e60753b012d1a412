/**
 * An image a person uploaded, made ready for the vision model in one decode: the untrusted-image
 * checks of `openUntrusted` (size, sniffed format, header pixel count), then the oriented pixels
 * straight into the vision box (`visionFromPipeline`). Only the vision JPEG is kept, so no
 * full-size clean copy is encoded and decoded again in between — metadata is dropped all the
 * same (sharp keeps none unless asked) and a corrupt file fails the same way.
 */
import { sha256Hex } from './content-hash.ts';
import { openUntrusted, type IntakeImageOptions } from './image-intake.ts';
import type { ImageFormat } from './image-format.ts';
import { visionFromPipeline, type VisionImage, type VisionImageOptions } from './prepare-for-vision.ts';

export interface UploadForVision extends VisionImage {
  /** SHA-256 hex of the uploaded bytes. */
  hash: string;
  sourceFormat: ImageFormat;
}

export async function uploadForVision(bytes: Buffer, intake: Omit<IntakeImageOptions, 'maxSidePx'>, vision: VisionImageOptions): Promise<UploadForVision> {
  const opened = await openUntrusted(bytes, intake);
  let prepared: VisionImage;
  try {
    prepared = await visionFromPipeline(opened.source.pipeline, opened.source.width, opened.source.height, vision);
  } catch (error) {
    throw opened.decoderError(error);
  }
  return { ...prepared, hash: sha256Hex(bytes), sourceFormat: opened.format };
}
