/**
 * Shrinks a clean image (from `intakeImage`) into the JPEG we send to a vision model: small
 * enough to be cheap in tokens and bytes, big enough to describe. Never enlarges.
 */
import type { Sharp } from 'sharp';
import { loadSharp } from './load-sharp.ts';
import { TableRoundError } from '../errors.ts';
import { SHARP_FAIL_ON } from './image-intake.ts';

export interface VisionImageOptions {
  /** The image must fit in a `boxPx` × `boxPx` square (config VISION_BOX). */
  boxPx?: number;
  /** Its short side must be at most this (config VISION_SHORT_SIDE). */
  shortSidePx?: number;
  /** Largest JPEG in bytes (config VISION_MAX_BYTES). */
  maxBytes?: number;
}

export const DEFAULT_VISION_OPTIONS: Readonly<Required<VisionImageOptions>> = { boxPx: 1024, shortSidePx: 768, maxBytes: 1_500_000 };

export interface VisionImage {
  jpeg: Buffer;
  mimeType: 'image/jpeg';
  width: number;
  height: number;
  /** The JPEG quality that met `maxBytes`. */
  quality: number;
  /** What an OpenAI tile model charges for this image at detail "high" (see estimateVisionTokens). */
  estimatedTokens: number;
}

const START_QUALITY = 85;
const QUALITY_STEP = 10;
const MIN_QUALITY = 35;
/** Each shrink step after the quality floor multiplies both sides by this. */
const SHRINK_FACTOR = 0.75;
const MIN_SIDE_PX = 16;
/** OpenAI tile models at detail "high". */
const TILE_PX = 512;
const TOKENS_PER_TILE = 170;
const BASE_TOKENS = 85;
const PROVIDER_BOX_PX = 2048;
const PROVIDER_SHORT_SIDE_PX = 768;

/** Scale factor (≤ 1) that fits width × height into a box and caps the short side. */
function fitScale(width: number, height: number, boxPx: number, shortSidePx: number): number {
  return Math.min(1, boxPx / width, boxPx / height, shortSidePx / Math.min(width, height));
}

/**
 * Tokens an OpenAI tile model charges for an image at detail "high": scale to fit 2048×2048,
 * then so the short side is at most 768 (never up), then 170 per 512-px tile plus 85.
 * 1024×1024 → 765; 2048×4096 → 1105; 512×512 → 255.
 */
export function estimateVisionTokens(width: number, height: number): number {
  if (width <= 0 || height <= 0) return 0;
  let scaledWidth = width;
  let scaledHeight = height;
  const boxScale = Math.min(1, PROVIDER_BOX_PX / scaledWidth, PROVIDER_BOX_PX / scaledHeight);
  scaledWidth = Math.floor(scaledWidth * boxScale);
  scaledHeight = Math.floor(scaledHeight * boxScale);
  const shortScale = Math.min(1, PROVIDER_SHORT_SIDE_PX / Math.min(scaledWidth, scaledHeight));
  scaledWidth = Math.floor(scaledWidth * shortScale);
  scaledHeight = Math.floor(scaledHeight * shortScale);
  const tiles = Math.ceil(scaledWidth / TILE_PX) * Math.ceil(scaledHeight / TILE_PX);
  return TOKENS_PER_TILE * tiles + BASE_TOKENS;
}

interface RawPixels {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

async function encodeJpeg(pixels: RawPixels, quality: number): Promise<Buffer> {
  const sharp = await loadSharp();
  return sharp(pixels.data, { raw: pixels }).jpeg({ quality }).toBuffer();
}

async function shrink(pixels: RawPixels): Promise<RawPixels> {
  const sharp = await loadSharp();
  const width = Math.max(MIN_SIDE_PX, Math.round(pixels.width * SHRINK_FACTOR));
  const height = Math.max(MIN_SIDE_PX, Math.round(pixels.height * SHRINK_FACTOR));
  const { data, info } = await sharp(pixels.data, { raw: pixels }).resize(width, height, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/**
 * Fits `image` (any format sharp reads; normally `IntakenImage.bytes`) into the vision box,
 * flattens transparency onto white (JPEG has none; sharp would make it black), and steps JPEG
 * quality 85 → 35 by 10 until the JPEG is ≤ `maxBytes`. If quality 35 is still too big, both
 * sides shrink by 25 % and the steps start again at 85 (a smaller, cleaner picture describes
 * better than a blocky one). Throws `image_too_large` only if even 16 px does not fit.
 */
export async function prepareForVision(image: Buffer, options: VisionImageOptions = {}): Promise<VisionImage> {
  const sharp = await loadSharp();
  const input = sharp(image, { failOn: SHARP_FAIL_ON }).autoOrient();
  const metadata = await input.metadata();
  return visionFromPipeline(input, metadata.autoOrient.width, metadata.autoOrient.height, options);
}

/**
 * The same from a sharp pipeline that yields an oriented image of the given size — an untrusted
 * upload straight from `openUntrusted`, decoded once at the size it is needed (JPEG shrink-on-load)
 * instead of through a full-size clean copy.
 */
export async function visionFromPipeline(input: Sharp, orientedWidth: number, orientedHeight: number, options: VisionImageOptions = {}): Promise<VisionImage> {
  const { boxPx, shortSidePx, maxBytes } = { ...DEFAULT_VISION_OPTIONS, ...options };
  const scale = fitScale(orientedWidth, orientedHeight, boxPx, shortSidePx);
  const targetWidth = Math.max(1, Math.round(orientedWidth * scale));
  const targetHeight = Math.max(1, Math.round(orientedHeight * scale));
  // Decode and resize once; quality steps re-encode the same raw pixels.
  const resized = await input
    .resize(targetWidth, targetHeight, { fit: 'fill', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  let pixels: RawPixels = { data: resized.data, width: resized.info.width, height: resized.info.height, channels: resized.info.channels };

  for (;;) {
    for (let quality = START_QUALITY; quality >= MIN_QUALITY; quality -= QUALITY_STEP) {
      const jpeg = await encodeJpeg(pixels, quality);
      if (jpeg.length <= maxBytes) {
        return { jpeg, mimeType: 'image/jpeg', width: pixels.width, height: pixels.height, quality, estimatedTokens: estimateVisionTokens(pixels.width, pixels.height) };
      }
    }
    if (pixels.width <= MIN_SIDE_PX && pixels.height <= MIN_SIDE_PX) {
      throw new TableRoundError('image_too_large', `Cannot fit image into ${maxBytes} bytes`, { publicMessage: 'That image could not be made small enough to describe.' });
    }
    pixels = await shrink(pixels);
  }
}
