/**
 * Turns untrusted bytes (an attachment, a download) into a clean, known image or a coded error
 * the person can read. Order matters for safety and speed: size → magic bytes → header-only
 * pixel count → decode. Nothing reaches a decoder before its format is known and its pixel
 * count is within the limit, so a decompression bomb costs a header read, not gigabytes.
 */
import { loadSharp } from './load-sharp.ts';
import type { Metadata, OutputInfo, Sharp, SharpOptions } from 'sharp';
import { TableRoundError } from '../errors.ts';
import { decodeBmp, readBmpHeader } from './bmp-decode.ts';
import type { RawImage } from './bmp-decode.ts';
import { sha256Hex } from './content-hash.ts';
import { openHeic } from './heic-image.ts';
import { ACCEPTED_FORMATS_SENTENCE, mimeTypeOf, sniffImageFormat } from './image-format.ts';
import type { ImageFormat } from './image-format.ts';

export interface ImageLimits {
  /** Largest accepted file in bytes (config IMAGE_MAX_BYTES). */
  maxBytes: number;
  /** Largest accepted width × height (config IMAGE_MAX_PIXELS). */
  maxPixels: number;
}

export const DEFAULT_IMAGE_LIMITS: Readonly<ImageLimits> = { maxBytes: 20 * 1024 * 1024, maxPixels: 50_000_000 };

export interface IntakeImageOptions extends Partial<ImageLimits> {
  /** The name the person gave the file; used in log messages only, never to decide the format. */
  filename?: string;
  /** The size the platform announced; refused before looking at the bytes if over `maxBytes`. */
  announcedSize?: number;
  /**
   * Downscale the clean image so neither side exceeds this (never enlarges). Unset keeps full
   * size. 2048 is plenty for vision and lets JPEG decode at reduced scale (see bench).
   */
  maxSidePx?: number;
}

export interface IntakenImage {
  /** SHA-256 hex of the original bytes, for deduplication and logs. */
  hash: string;
  /** The format found from the magic bytes. */
  sourceFormat: ImageFormat;
  sourceMimeType: string;
  sourceByteLength: number;
  /** Size of `bytes`, after EXIF orientation was applied. */
  width: number;
  height: number;
  hasAlpha: boolean;
  /** Re-encoded image: orientation applied, metadata stripped, sRGB, first frame only. */
  bytes: Buffer;
  /** PNG when the source had transparency or was lossless (PNG, GIF, BMP); JPEG (q90) otherwise. */
  mimeType: 'image/png' | 'image/jpeg';
}

/**
 * `failOn: 'error'`, not sharp's default 'warning'. Measured with this libvips (8.18): 'error'
 * still refuses a JPEG or PNG cut in half (the truncated test), while 'warning' also refuses
 * phone photos that every viewer shows — libjpeg *warnings* such as "Corrupt JPEG data: N
 * extraneous bytes before marker" or Samsung's "Invalid SOS parameters" (lovell/sharp#1578,
 * #3488; sharp's maintainer recommends 'error' for them). Safety does not rest on this flag:
 * the format whitelist and the header pixel check come first, and `limitInputPixels` backs them.
 */
export const SHARP_FAIL_ON: SharpOptions['failOn'] = 'error';
const CLEAN_JPEG_QUALITY = 90;
const LOSSLESS_SOURCES: ReadonlySet<ImageFormat> = new Set(['png', 'gif', 'bmp']);
const MEBIBYTE = 1024 * 1024;

function formatMegabytes(byteCount: number, decimals: number): string {
  return `${Number((byteCount / MEBIBYTE).toFixed(decimals))} MB`;
}

/** "31 MB" vs "20 MB", with a decimal more when rounding would make the two look equal. */
function describeSizes(byteCount: number, maxBytes: number): { size: string; limit: string } {
  const limit = formatMegabytes(maxBytes, 1);
  let size = formatMegabytes(byteCount, byteCount < 10 * MEBIBYTE ? 1 : 0);
  if (size === limit || (byteCount > maxBytes && byteCount < maxBytes * 1.05)) size = formatMegabytes(byteCount, 2);
  return { size, limit };
}

function tooLarge(byteCount: number, maxBytes: number, announced: boolean): TableRoundError {
  const { size, limit } = describeSizes(byteCount, maxBytes);
  return new TableRoundError('image_too_large', `Image of ${byteCount} bytes${announced ? ' (announced)' : ''} exceeds ${maxBytes}`, {
    publicMessage: `That file is ${size}; the limit is ${limit}.`,
  });
}

/** Refuses a file from its announced size, before downloading it. No-op when the size is unknown. */
export function checkAnnouncedSize(size: number | undefined, maxBytes: number = DEFAULT_IMAGE_LIMITS.maxBytes): void {
  if (size !== undefined && Number.isFinite(size) && size > maxBytes) throw tooLarge(size, maxBytes, true);
}

function tooManyPixels(width: number, height: number, maxPixels: number, cause?: unknown): TableRoundError {
  const megapixels = (width * height) / 1e6;
  const shown = megapixels >= 1000 ? `${Math.round(megapixels).toLocaleString('en')}` : `${Number(megapixels.toFixed(1))}`;
  return new TableRoundError('image_too_many_pixels', `Image ${width}×${height} exceeds ${maxPixels} pixels`, {
    cause,
    publicMessage: `That image is ${width.toLocaleString('en')}×${height.toLocaleString('en')} (${shown} megapixels); the limit is ${Number((maxPixels / 1e6).toFixed(1))} megapixels.`,
  });
}

function corrupt(format: ImageFormat, filename: string | undefined, cause: unknown): TableRoundError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new TableRoundError('image_corrupt', `Could not decode ${format} image${filename ? ` "${filename}"` : ''}: ${detail}`, {
    cause,
    publicMessage: 'That image is damaged or incomplete, so I could not read it.',
  });
}

/** sharp reports its pixel limit as a plain error; everything else from a decoder means a damaged file. */
function fromDecoderError(error: unknown, format: ImageFormat, filename: string | undefined, maxPixels: number): TableRoundError {
  if (error instanceof TableRoundError) return error;
  if (error instanceof Error && /pixel limit/i.test(error.message)) {
    return new TableRoundError('image_too_many_pixels', error.message, {
      cause: error,
      publicMessage: `That image has more than ${Number((maxPixels / 1e6).toFixed(1))} megapixels, the limit.`,
    });
  }
  return corrupt(format, filename, error);
}

function refuseBySniff(bytes: Buffer, filename: string | undefined): never {
  const sniffed = sniffImageFormat(bytes);
  const named = filename ? ` "${filename}"` : '';
  if (sniffed.kind === 'unsupported') {
    const isSvg = sniffed.name.includes('SVG');
    throw new TableRoundError('image_unsupported', `Refused ${sniffed.name}${named}`, {
      publicMessage: isSvg
        ? `That file is an SVG drawing, which can carry scripts; please send a ${ACCEPTED_FORMATS_SENTENCE} image instead.`
        : `That file is ${sniffed.name}; please send a ${ACCEPTED_FORMATS_SENTENCE} image instead.`,
    });
  }
  if (sniffed.kind === 'not_image') {
    const publicMessage = {
      empty: 'That file is empty.',
      // Slack serves its login page (status 200) when a file is fetched without the bot token or files:read.
      html: 'That is a web page, not an image.',
      text: 'That file is text, not an image.',
      unknown: `That file is not an image I recognise; please send ${ACCEPTED_FORMATS_SENTENCE}.`,
    }[sniffed.looksLike];
    throw new TableRoundError('image_not_image', `Not an image${named}: looks like ${sniffed.looksLike}`, { publicMessage });
  }
  throw new TableRoundError('internal', 'refuseBySniff called with an image');
}

interface DecodedSource {
  /** A sharp pipeline over the decoded image, oriented, before resizing and encoding. */
  pipeline: Sharp;
  hasAlpha: boolean;
  /** Size as oriented (what the pipeline yields). */
  width: number;
  height: number;
}

async function openWithSharp(bytes: Buffer, format: ImageFormat, limits: ImageLimits, filename: string | undefined): Promise<DecodedSource> {
  const sharp = await loadSharp();
  const options: SharpOptions = { failOn: SHARP_FAIL_ON, limitInputPixels: limits.maxPixels, pages: 1 };
  let metadata: Metadata;
  try {
    // Header only: no pixels are decoded here.
    metadata = await sharp(bytes, { ...options, limitInputPixels: false }).metadata();
  } catch (error) {
    throw fromDecoderError(error, format, filename, limits.maxPixels);
  }
  const width = metadata.width;
  const height = metadata.pageHeight ?? metadata.height;
  if (width * height > limits.maxPixels) throw tooManyPixels(width, height, limits.maxPixels);
  // EXIF orientations 5–8 turn the picture a quarter: width and height swap.
  const turned = (metadata.orientation ?? 1) >= 5;
  return { pipeline: sharp(bytes, options).autoOrient(), hasAlpha: metadata.hasAlpha, width: turned ? height : width, height: turned ? width : height };
}

async function openRaw(raw: RawImage, limits: ImageLimits): Promise<DecodedSource> {
  const sharp = await loadSharp();
  return {
    pipeline: sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels }, limitInputPixels: limits.maxPixels }),
    hasAlpha: raw.channels === 4,
    width: raw.width,
    height: raw.height,
  };
}

async function openSource(bytes: Buffer, format: ImageFormat, limits: ImageLimits, filename: string | undefined): Promise<DecodedSource> {
  if (format === 'bmp') {
    const header = readBmpHeader(bytes);
    if (header.width * header.height > limits.maxPixels) throw tooManyPixels(header.width, header.height, limits.maxPixels);
    return openRaw(decodeBmp(bytes), limits);
  }
  if (format === 'heic') {
    let handle;
    try {
      handle = await openHeic(bytes);
    } catch (error) {
      throw corrupt(format, filename, error);
    }
    if (handle.width * handle.height > limits.maxPixels) {
      handle.dispose();
      throw tooManyPixels(handle.width, handle.height, limits.maxPixels);
    }
    try {
      return await openRaw(await handle.decode(), limits);
    } catch (error) {
      throw corrupt(format, filename, error);
    }
  }
  return openWithSharp(bytes, format, limits, filename);
}

export interface OpenedImage {
  source: DecodedSource;
  format: ImageFormat;
  limits: ImageLimits;
  /** Wraps an error of decoding this image (at any later step) in the person's terms. */
  decoderError(error: unknown): TableRoundError;
}

/**
 * The checks every untrusted image passes before its pixels are decoded — announced and real
 * size, the format sniffed from its bytes (never its name), the pixel count from its header —
 * and a sharp pipeline over it, oriented. Throws like `intakeImage`.
 */
export async function openUntrusted(bytes: Buffer, options: Omit<IntakeImageOptions, 'maxSidePx'> = {}): Promise<OpenedImage> {
  const limits: ImageLimits = {
    maxBytes: options.maxBytes ?? DEFAULT_IMAGE_LIMITS.maxBytes,
    maxPixels: options.maxPixels ?? DEFAULT_IMAGE_LIMITS.maxPixels,
  };
  checkAnnouncedSize(options.announcedSize, limits.maxBytes);
  if (bytes.length > limits.maxBytes) throw tooLarge(bytes.length, limits.maxBytes, false);

  const sniffed = sniffImageFormat(bytes);
  if (sniffed.kind !== 'image') refuseBySniff(bytes, options.filename);
  const format = sniffed.format;

  const source = await openSource(bytes, format, limits, options.filename);
  return {
    source,
    format,
    limits,
    decoderError: (error) => (error instanceof TableRoundError ? error : fromDecoderError(error, format, options.filename, limits.maxPixels)),
  };
}

/**
 * Validates and normalises an untrusted image. Throws `TableRoundError` with code
 * `image_too_large`, `image_not_image`, `image_unsupported` (SVG, JPEG XL, PDF…),
 * `image_too_many_pixels` or `image_corrupt`, each with a `publicMessage` for the person.
 * Animated images yield their first frame; transparency is kept (PNG output).
 */
export async function intakeImage(bytes: Buffer, options: IntakeImageOptions = {}): Promise<IntakenImage> {
  const { source, format, limits } = await openUntrusted(bytes, options);
  if (options.maxSidePx !== undefined) {
    source.pipeline.resize(options.maxSidePx, options.maxSidePx, { fit: 'inside', withoutEnlargement: true });
  }
  const asPng = source.hasAlpha || LOSSLESS_SOURCES.has(format);
  // sharp drops all metadata (EXIF, XMP, ICC after converting to sRGB) unless asked to keep it.
  const encoder = asPng ? source.pipeline.png() : source.pipeline.jpeg({ quality: CLEAN_JPEG_QUALITY });
  let output: { data: Buffer; info: OutputInfo };
  try {
    output = await encoder.toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw fromDecoderError(error, format, options.filename, limits.maxPixels);
  }
  return {
    hash: sha256Hex(bytes),
    sourceFormat: format,
    sourceMimeType: mimeTypeOf(format),
    sourceByteLength: bytes.length,
    width: output.info.width,
    height: output.info.height,
    hasAlpha: source.hasAlpha,
    bytes: output.data,
    mimeType: asPng ? 'image/png' : 'image/jpeg',
  };
}
