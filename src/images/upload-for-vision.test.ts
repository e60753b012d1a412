import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { TableRoundError } from '../errors.ts';
import { bombPng, makeBmp, photoLikeJpeg, pixelAt } from './test-images.ts';
import { uploadForVision } from './upload-for-vision.ts';
import { sha256Hex } from './content-hash.ts';

const HEIC_FIXTURE = new URL('../../test/fixtures/images/red-blue-64x48.heic', import.meta.url);
const vision = { boxPx: 1024, shortSidePx: 768, maxBytes: 1_500_000 };

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return error instanceof TableRoundError ? error.code : `not a TableRoundError: ${String(error)}`;
  }
  return undefined;
}

describe('an upload made ready for vision in one decode', () => {
  it('fits a 12-megapixel photo in the vision box, hashed from the bytes the person sent', async () => {
    const photo = await photoLikeJpeg(4032, 3024, 90);
    const result = await uploadForVision(photo, {}, vision);
    expect([result.width, result.height]).toEqual([1024, 768]);
    expect(result.sourceFormat).toBe('jpeg');
    expect(result.hash).toBe(sha256Hex(photo));
    const metadata = await sharp(result.jpeg).metadata();
    expect([metadata.format, metadata.width, metadata.height, metadata.exif, metadata.icc]).toEqual(['jpeg', 1024, 768, undefined, undefined]);
  });

  it('applies EXIF orientation (a quarter turn swaps width and height)', async () => {
    const pixels = Buffer.alloc(40 * 20 * 3);
    for (let y = 0; y < 20; y += 1) pixels.fill(255, (y * 40 + 20) * 3, (y * 40 + 40) * 3);
    const jpeg = await sharp(pixels, { raw: { width: 40, height: 20, channels: 3 } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const result = await uploadForVision(jpeg, {}, vision);
    expect([result.width, result.height]).toEqual([20, 40]);
    expect((await pixelAt(result.jpeg, 10, 5))[0]).toBeLessThan(40);
    expect((await pixelAt(result.jpeg, 10, 35))[0]).toBeGreaterThan(215);
  });

  it('flattens transparency onto white', async () => {
    const transparent = await sharp({ create: { width: 40, height: 40, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    const result = await uploadForVision(transparent, {}, vision);
    expect(Math.min(...(await pixelAt(result.jpeg, 20, 20)).slice(0, 3))).toBeGreaterThan(245);
  });

  it('reads BMP and HEIC through their own decoders', async () => {
    const bmp = makeBmp({ width: 16, height: 8, bitsPerPixel: 24, pixel: () => [9, 9, 9, 255] });
    expect(await uploadForVision(bmp, {}, vision)).toMatchObject({ width: 16, height: 8, sourceFormat: 'bmp' });
    expect((await uploadForVision(readFileSync(HEIC_FIXTURE), {}, vision)).sourceFormat).toBe('heic');
  });

  it('refuses what the intake refuses, with the same codes', async () => {
    const jpeg = await photoLikeJpeg(256, 256);
    expect(await codeOf(uploadForVision(jpeg.subarray(0, Math.floor(jpeg.length / 2)), {}, vision))).toBe('image_corrupt');
    expect(await codeOf(uploadForVision(bombPng(100_000, 100_000, { headerOnly: true }), {}, vision))).toBe('image_too_many_pixels');
    expect(await codeOf(uploadForVision(Buffer.from('not a picture'), { filename: 'a.jpg' }, vision))).toBe('image_not_image');
    expect(await codeOf(uploadForVision(jpeg, { announcedSize: 30_000_000, maxBytes: 20_000_000 }, vision))).toBe('image_too_large');
  });
});
