import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { estimateVisionTokens, prepareForVision } from './prepare-for-vision.ts';
import { photoLike, photoLikeJpeg, pixelAt } from './test-images.ts';

describe('estimateVisionTokens (OpenAI tile models, detail high)', () => {
  it.each([
    [1024, 1024, 765],
    [2048, 4096, 1105],
    [512, 512, 255],
    [4000, 3000, 765],
    [1024, 768, 765],
    [800, 600, 765],
    [100, 100, 255],
    [513, 100, 425],
    [0, 10, 0],
  ])('%i×%i → %i tokens', (width, height, tokens) => {
    expect(estimateVisionTokens(width, height)).toBe(tokens);
  });
});

describe('prepareForVision', () => {
  it('fits a 12-megapixel photo in the box with the short side at most 768', async () => {
    const result = await prepareForVision(await photoLikeJpeg(4000, 3000));
    expect([result.width, result.height]).toEqual([1024, 768]);
    expect(result.quality).toBe(85);
    expect(result.estimatedTokens).toBe(765);
    expect(result.mimeType).toBe('image/jpeg');
    const metadata = await sharp(result.jpeg).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual(['jpeg', 1024, 768]);
  });

  it.each([
    [3000, 600, 1024, 205],
    [1000, 2000, 512, 1024],
    [2000, 2000, 768, 768],
    [300, 200, 300, 200],
  ])('%i×%i → %i×%i (never enlarges)', async (width, height, expectedWidth, expectedHeight) => {
    const result = await prepareForVision(await photoLike(width, height).png().toBuffer());
    expect([result.width, result.height]).toEqual([expectedWidth, expectedHeight]);
  });

  it('honours a custom box and short side', async () => {
    const result = await prepareForVision(await photoLikeJpeg(1600, 1200), { boxPx: 800, shortSidePx: 512 });
    expect([result.width, result.height]).toEqual([683, 512]);
  });

  it('steps JPEG quality down until the bytes fit', async () => {
    const input = await photoLike(1024, 768).png().toBuffer();
    const free = await prepareForVision(input);
    const capped = await prepareForVision(input, { maxBytes: Math.floor(free.jpeg.length * 0.6) });
    expect(capped.jpeg.length).toBeLessThanOrEqual(Math.floor(free.jpeg.length * 0.6));
    expect(capped.quality).toBeLessThan(85);
    expect((85 - capped.quality) % 10).toBe(0);
    expect([capped.width, capped.height]).toEqual([1024, 768]);
  });

  it('shrinks the image once quality reaches its floor', async () => {
    const result = await prepareForVision(await photoLike(1024, 768).png().toBuffer(), { maxBytes: 20_000 });
    expect(result.jpeg.length).toBeLessThanOrEqual(20_000);
    expect(result.width).toBeLessThan(1024);
    expect(result.width / result.height).toBeCloseTo(1024 / 768, 1);
    // Each smaller size starts again at quality 85: a sharper, smaller picture beats a blocky big one.
    expect(result.quality).toBeGreaterThanOrEqual(35);
  });

  it('flattens transparency onto white, not black', async () => {
    const transparent = await sharp({ create: { width: 40, height: 40, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .composite([{ input: { create: { width: 10, height: 10, channels: 4, background: '#ff0000' } }, left: 0, top: 0 }])
      .png()
      .toBuffer();
    const result = await prepareForVision(transparent);
    const [red, green, blue] = await pixelAt(result.jpeg, 30, 30);
    expect(Math.min(red ?? 0, green ?? 0, blue ?? 0)).toBeGreaterThan(245);
    const corner = await pixelAt(result.jpeg, 2, 2);
    expect(corner[0]).toBeGreaterThan(200);
    expect(corner[1]).toBeLessThan(60);
  });
});
