/**
 * A small JPEG of an image for the HTML transcript (at most 480 px on its longer side, quality 70:
 * tens of kilobytes, so a session's images inline into one page), and the original's size.
 * EXIF orientation is applied; transparency is flattened on white.
 */
import { loadSharp } from './load-sharp.ts';

export const thumbnailMaxPx = 480;

export async function thumbnailJpeg(bytes: Buffer): Promise<{ jpeg: Buffer; width: number; height: number }> {
  const sharp = await loadSharp();
  const image = sharp(bytes, { limitInputPixels: 64_000_000 });
  const { width = 0, height = 0 } = await image.metadata();
  const jpeg = await image
    .rotate()
    .resize({ width: thumbnailMaxPx, height: thumbnailMaxPx, fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 70, mozjpeg: true })
    .toBuffer();
  return { jpeg, width, height };
}
