import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import { TableRoundError } from '../errors.ts';
import { checkAnnouncedSize, intakeImage } from './image-intake.ts';
import type { ImageFormat } from './image-format.ts';
import { bombPng, makeBmp, photoLike, photoLikeJpeg, pixelAt } from './test-images.ts';

const HEIC_FIXTURE = new URL('../../test/fixtures/images/red-blue-64x48.heic', import.meta.url);
const MIB = 1024 * 1024;

async function expectCode(promise: Promise<unknown>, code: string): Promise<TableRoundError> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TableRoundError);
  const coded = error as TableRoundError;
  expect(coded.code).toBe(code);
  return coded;
}

function near(actual: number[], expected: number[], tolerance = 12): void {
  expected.forEach((value, index) => expect(Math.abs((actual[index] ?? -999) - value)).toBeLessThanOrEqual(tolerance));
}

describe('intakeImage: accepted formats', () => {
  const encoders: Record<Exclude<ImageFormat, 'bmp' | 'heic'>, (image: Sharp) => Sharp> = {
    jpeg: (image) => image.jpeg(),
    png: (image) => image.png(),
    webp: (image) => image.webp(),
    gif: (image) => image.gif(),
    avif: (image) => image.avif({ effort: 0 }),
    tiff: (image) => image.tiff(),
  };
  for (const [format, encode] of Object.entries(encoders)) {
    it(`reads ${format} and re-encodes it clean`, async () => {
      const bytes = await encode(photoLike(120, 80)).toBuffer();
      const result = await intakeImage(bytes, { filename: 'upload.bin' });
      expect(result.sourceFormat).toBe(format);
      expect([result.width, result.height]).toEqual([120, 80]);
      expect(result.sourceByteLength).toBe(bytes.length);
      expect(result.hash).toMatch(/^[0-9a-f]{64}$/);
      const metadata = await sharp(result.bytes).metadata();
      expect(metadata.format).toBe(result.mimeType === 'image/png' ? 'png' : 'jpeg');
      expect([metadata.width, metadata.height]).toEqual([120, 80]);
    });
  }

  it('picks PNG for lossless sources and JPEG for photos', async () => {
    expect((await intakeImage(await photoLike(20, 20).png().toBuffer())).mimeType).toBe('image/png');
    expect((await intakeImage(await photoLike(20, 20).jpeg().toBuffer())).mimeType).toBe('image/jpeg');
  });

  it('reads a 24-bit bottom-up BMP', async () => {
    const bmp = makeBmp({ width: 7, height: 5, bitsPerPixel: 24, pixel: (x) => (x < 3 ? [255, 0, 0, 255] : [0, 0, 255, 255]) });
    const result = await intakeImage(bmp, { filename: 'paint.bmp' });
    expect(result.sourceFormat).toBe('bmp');
    expect([result.width, result.height]).toEqual([7, 5]);
    expect(await pixelAt(result.bytes, 0, 4)).toEqual([255, 0, 0]);
    expect(await pixelAt(result.bytes, 6, 0)).toEqual([0, 0, 255]);
  });

  it('reads a 32-bit top-down BMP with alpha and an 8-bit palette BMP', async () => {
    const withAlpha = makeBmp({ width: 4, height: 3, bitsPerPixel: 32, topDown: true, pixel: (_x, y) => (y === 0 ? [0, 255, 0, 255] : [0, 0, 0, 0]) });
    const alphaResult = await intakeImage(withAlpha);
    expect(alphaResult.hasAlpha).toBe(true);
    expect(await pixelAt(alphaResult.bytes, 0, 0)).toEqual([0, 255, 0, 255]);
    expect((await pixelAt(alphaResult.bytes, 0, 2))[3]).toBe(0);

    const paletted = makeBmp({ width: 5, height: 2, bitsPerPixel: 8, pixel: (x, y) => (y === 0 && x === 4 ? [10, 20, 30, 255] : [200, 100, 50, 255]) });
    const palettedResult = await intakeImage(paletted);
    expect(await pixelAt(palettedResult.bytes, 4, 0)).toEqual([10, 20, 30]);
    expect(await pixelAt(palettedResult.bytes, 0, 1)).toEqual([200, 100, 50]);
  });

  it('reads HEIC through the WebAssembly decoder', async () => {
    const heic = readFileSync(HEIC_FIXTURE);
    const result = await intakeImage(heic, { filename: 'IMG_0001.HEIC' });
    expect(result.sourceFormat).toBe('heic');
    expect(result.sourceMimeType).toBe('image/heic');
    expect([result.width, result.height]).toEqual([64, 48]);
    near(await pixelAt(result.bytes, 8, 24), [224, 0, 0], 24);
    near(await pixelAt(result.bytes, 56, 24), [0, 0, 224], 24);
  });

  it('takes the first frame of an animated GIF', async () => {
    const frame = 8;
    const frames = Buffer.concat([
      Buffer.alloc(frame * frame * 3, Buffer.from([255, 0, 0])),
      Buffer.alloc(frame * frame * 3, Buffer.from([0, 255, 0])),
      Buffer.alloc(frame * frame * 3, Buffer.from([0, 0, 255])),
    ]);
    const gif = await sharp(frames, { raw: { width: frame, height: frame * 3, channels: 3, pageHeight: frame } }).gif({ delay: [100, 100, 100] }).toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(3);
    const result = await intakeImage(gif);
    expect([result.width, result.height]).toEqual([frame, frame]);
    near(await pixelAt(result.bytes, 4, 4), [255, 0, 0]);
  });
});

describe('intakeImage: orientation and metadata', () => {
  it('applies EXIF orientation', async () => {
    // 40×20, left half black, right half white, tagged "rotate 90° clockwise to display".
    const pixels = Buffer.alloc(40 * 20 * 3);
    for (let y = 0; y < 20; y += 1) pixels.fill(255, (y * 40 + 20) * 3, (y * 40 + 40) * 3);
    const jpeg = await sharp(pixels, { raw: { width: 40, height: 20, channels: 3 } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    expect((await sharp(jpeg).metadata()).orientation).toBe(6);
    const result = await intakeImage(jpeg);
    expect([result.width, result.height]).toEqual([20, 40]);
    // The former left (black) half is now on top.
    expect((await pixelAt(result.bytes, 10, 5))[0]).toBeLessThan(40);
    expect((await pixelAt(result.bytes, 10, 35))[0]).toBeGreaterThan(215);
    expect((await sharp(result.bytes).metadata()).orientation).toBeUndefined();
  });

  it('strips EXIF, XMP and ICC metadata', async () => {
    const jpeg = await photoLike(64, 48)
      .jpeg()
      .withMetadata({ icc: 'p3' })
      .withExif({ IFD0: { Copyright: 'SECRET-EXIF-COPYRIGHT', Artist: 'SECRET-ARTIST' } })
      .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description>SECRET-XMP</rdf:Description></rdf:RDF></x:xmpmeta>')
      .toBuffer();
    const before = await sharp(jpeg).metadata();
    expect(before.exif).toBeDefined();
    expect(before.icc).toBeDefined();
    const result = await intakeImage(jpeg);
    const after = await sharp(result.bytes).metadata();
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.icc).toBeUndefined();
    expect(result.bytes.includes('SECRET')).toBe(false);
  });
});

describe('intakeImage: refusals', () => {
  it('refuses an announced or actual size over the limit, with a readable message', async () => {
    expect(() => checkAnnouncedSize(31 * MIB, 20 * MIB)).toThrow(TableRoundError);
    try {
      checkAnnouncedSize(31 * MIB, 20 * MIB);
    } catch (error) {
      expect((error as TableRoundError).code).toBe('image_too_large');
      expect((error as TableRoundError).publicMessage).toBe('That file is 31 MB; the limit is 20 MB.');
    }
    expect(() => checkAnnouncedSize(undefined, 20 * MIB)).not.toThrow();
    expect(() => checkAnnouncedSize(20 * MIB, 20 * MIB)).not.toThrow();

    const jpeg = await photoLikeJpeg(64, 64);
    const error = await expectCode(intakeImage(jpeg, { maxBytes: 1000 }), 'image_too_large');
    expect(error.publicMessage).toMatch(/^That file is [\d.]+ MB; the limit is 0 MB\.$/);
    await expectCode(intakeImage(jpeg, { announcedSize: 30 * MIB }), 'image_too_large');
  });

  it('rejects a decompression bomb from its header, fast', async () => {
    const bomb = bombPng(20_000, 20_000); // 400 MP of black, ~50 KB of file
    expect(bomb.length).toBeLessThan(200_000);
    const started = performance.now();
    const error = await expectCode(intakeImage(bomb), 'image_too_many_pixels');
    expect(performance.now() - started).toBeLessThan(500);
    expect(error.publicMessage).toBe('That image is 20,000×20,000 (400 megapixels); the limit is 50 megapixels.');
  });

  it('rejects a huge-dimension PNG whose header claims 100,000 × 100,000', async () => {
    const error = await expectCode(intakeImage(bombPng(100_000, 100_000, { headerOnly: true })), 'image_too_many_pixels');
    expect(error.publicMessage).toContain('100,000×100,000');
    // A smaller limit applies the same way.
    await expectCode(intakeImage(await photoLike(200, 200).png().toBuffer(), { maxPixels: 10_000 }), 'image_too_many_pixels');
  });

  it('rejects huge BMP and HEIC dimensions before decoding', async () => {
    const bmp = makeBmp({ width: 3, height: 3, bitsPerPixel: 24, pixel: () => [0, 0, 0, 255] });
    bmp.writeInt32LE(30_000, 18);
    bmp.writeInt32LE(30_000, 22);
    await expectCode(intakeImage(bmp), 'image_too_many_pixels');
    await expectCode(intakeImage(readFileSync(HEIC_FIXTURE), { maxPixels: 1000 }), 'image_too_many_pixels');
  });

  it('calls a truncated JPEG, PNG, BMP or HEIC corrupt', async () => {
    const jpeg = await photoLikeJpeg(256, 256);
    await expectCode(intakeImage(jpeg.subarray(0, Math.floor(jpeg.length / 2))), 'image_corrupt');
    const png = await photoLike(256, 256).png().toBuffer();
    await expectCode(intakeImage(png.subarray(0, Math.floor(png.length / 2))), 'image_corrupt');
    const bmp = makeBmp({ width: 16, height: 16, bitsPerPixel: 24, pixel: () => [9, 9, 9, 255] });
    await expectCode(intakeImage(bmp.subarray(0, 300)), 'image_corrupt');
    const heic = readFileSync(HEIC_FIXTURE);
    const error = await expectCode(intakeImage(heic.subarray(0, 500), { filename: 'cut.heic' }), 'image_corrupt');
    expect(error.publicMessage).toBe('That image is damaged or incomplete, so I could not read it.');
  });

  it('refuses non-image bytes whatever the file is called', async () => {
    const text = await expectCode(intakeImage(Buffer.from('just some notes, not a picture\n'), { filename: 'holiday.jpg' }), 'image_not_image');
    expect(text.publicMessage).toBe('That file is text, not an image.');
    const html = await expectCode(
      intakeImage(Buffer.from('<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in</body></html>'), { filename: 'photo.png' }),
      'image_not_image',
    );
    expect(html.publicMessage).toBe('That is a web page, not an image.');
    await expectCode(intakeImage(Buffer.from([0x00, 0x13, 0x37, 0x42, 0x99, 0x01, 0xfe])), 'image_not_image');
    const empty = await expectCode(intakeImage(Buffer.alloc(0)), 'image_not_image');
    expect(empty.publicMessage).toBe('That file is empty.');
  });

  it('refuses an SVG, scripts or not', async () => {
    const svg = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>');
    const error = await expectCode(intakeImage(svg, { filename: 'cat.png' }), 'image_unsupported');
    expect(error.publicMessage).toContain('SVG');
    expect(error.publicMessage).toContain('scripts');
  });

  it('refuses other image formats sharp would not read here', async () => {
    const jxl = await expectCode(intakeImage(Buffer.from([0xff, 0x0a, 0xfa, 0x7f, 0x01, 0x02])), 'image_unsupported');
    expect(jxl.publicMessage).toBe('That file is a JPEG XL image; please send a JPEG, PNG, WebP, GIF, AVIF, HEIC, TIFF or BMP image instead.');
    await expectCode(intakeImage(Buffer.from('%PDF-1.7\n%âãÏÓ\n')), 'image_unsupported');
  });
});

describe('intakeImage: maxSidePx', () => {
  it('downscales the clean image, never enlarging it', async () => {
    const big = await intakeImage(await photoLikeJpeg(1200, 900), { maxSidePx: 600 });
    expect([big.width, big.height]).toEqual([600, 450]);
    const small = await intakeImage(await photoLikeJpeg(300, 200), { maxSidePx: 600 });
    expect([small.width, small.height]).toEqual([300, 200]);
  });
});

describe('intakeImage: colour', () => {
  it('converts a CMYK JPEG to sRGB', async () => {
    const cmyk = await photoLike(32, 32).toColourspace('cmyk').jpeg().toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const result = await intakeImage(cmyk);
    const metadata = await sharp(result.bytes).metadata();
    expect(metadata.space).toBe('srgb');
    expect(metadata.channels).toBe(3);
  });
});

describe('intakeImage: lenient where viewers are', () => {
  it('accepts a JPEG with stray bytes before a marker (a libjpeg warning, common from phones)', async () => {
    const jpeg = await photoLikeJpeg(64, 64);
    const startOfScan = jpeg.indexOf(Buffer.from([0xff, 0xda]));
    const withJunk = Buffer.concat([jpeg.subarray(0, startOfScan), Buffer.alloc(4), jpeg.subarray(startOfScan)]);
    // sharp's default failOn 'warning' refuses it…
    await expect(sharp(withJunk, { failOn: 'warning' }).png().toBuffer()).rejects.toThrow(/extraneous bytes/);
    // …we do not.
    const result = await intakeImage(withJunk);
    expect([result.width, result.height]).toEqual([64, 64]);
  });
});
