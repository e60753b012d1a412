/**
 * Test-only image makers: everything the image tests and the bench need, generated at run time
 * so no binaries are committed (except the HEIC fixture, which sharp cannot write).
 */
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import type { Sharp } from 'sharp';

/** Deterministic pseudo-random bytes (xorshift32), so generated "photos" are stable across runs. */
function pseudoRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state & 0xff;
  };
}

/** Raw RGB pixels that compress like a photo: gradients plus noise. */
export function photoLikePixels(width: number, height: number, seed = 1): Buffer {
  const next = pseudoRandom(seed);
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const at = (y * width + x) * 3;
      const noise = next() - 128;
      data[at] = Math.max(0, Math.min(255, Math.round((x / width) * 200) + (noise >> 2) + 20));
      data[at + 1] = Math.max(0, Math.min(255, Math.round((y / height) * 180) + (noise >> 3) + 40));
      data[at + 2] = Math.max(0, Math.min(255, Math.round(((x + y) / (width + height)) * 220) + (noise >> 2) + 10));
    }
  }
  return data;
}

export function photoLike(width: number, height: number, seed = 1): Sharp {
  return sharp(photoLikePixels(width, height, seed), { raw: { width, height, channels: 3 } });
}

export async function photoLikeJpeg(width: number, height: number, quality = 90): Promise<Buffer> {
  return photoLike(width, height).jpeg({ quality }).toBuffer();
}

const CRC_TABLE = Array.from({ length: 256 }, (_, index) => {
  let crc = index;
  for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  return crc >>> 0;
});

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/**
 * A decompression bomb: a valid 1-bit greyscale PNG of `width` × `height` all-black pixels.
 * 20,000 × 20,000 (400 MP, 50 MB of scanlines) deflates to about 50 KB.
 * With `headerOnly`, the IDAT is a token few bytes: the header claims the size, the data cannot back it.
 */
export function bombPng(width: number, height: number, options: { headerOnly?: boolean } = {}): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  const rowBytes = 1 + Math.ceil(width / 8);
  const idat = options.headerOnly ? deflateSync(Buffer.alloc(rowBytes)) : deflateSync(Buffer.alloc(rowBytes * height), { level: 9 });
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', header), pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))]);
}

export interface BmpOptions {
  width: number;
  height: number;
  bitsPerPixel: 8 | 24 | 32;
  /** Rows stored top-down (negative height). */
  topDown?: boolean;
  /** RGBA colour of each pixel. */
  pixel: (x: number, y: number) => [number, number, number, number];
}

/** Writes a BMP: 24-bit BI_RGB, 32-bit BI_BITFIELDS with a V4 header and alpha mask, or 8-bit with a palette. */
export function makeBmp(options: BmpOptions): Buffer {
  const { width, height, bitsPerPixel } = options;
  const dibSize = bitsPerPixel === 32 ? 108 : 40;
  const palette: number[][] = [];
  const paletteIndex = new Map<string, number>();
  if (bitsPerPixel === 8) {
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        const [red, green, blue] = options.pixel(x, y);
        const key = `${red},${green},${blue}`;
        if (!paletteIndex.has(key)) {
          paletteIndex.set(key, palette.length);
          palette.push([blue, green, red, 0]);
        }
      }
    }
  }
  const paletteBytes = palette.length * 4;
  const stride = Math.floor((bitsPerPixel * width + 31) / 32) * 4;
  const pixelOffset = 14 + dibSize + paletteBytes;
  const file = Buffer.alloc(pixelOffset + stride * height);
  file.write('BM', 0, 'latin1');
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(pixelOffset, 10);
  file.writeUInt32LE(dibSize, 14);
  file.writeInt32LE(width, 18);
  file.writeInt32LE(options.topDown ? -height : height, 22);
  file.writeUInt16LE(1, 26);
  file.writeUInt16LE(bitsPerPixel, 28);
  file.writeUInt32LE(bitsPerPixel === 32 ? 3 : 0, 30);
  file.writeUInt32LE(stride * height, 34);
  file.writeUInt32LE(palette.length, 46);
  if (bitsPerPixel === 32) {
    file.writeUInt32LE(0x00ff0000, 54);
    file.writeUInt32LE(0x0000ff00, 58);
    file.writeUInt32LE(0x000000ff, 62);
    file.writeUInt32LE(0xff000000, 66);
    file.write('BGRs', 70, 'latin1');
  }
  palette.forEach((entry, index) => Buffer.from(entry).copy(file, 14 + dibSize + index * 4));
  for (let y = 0; y < height; y += 1) {
    const row = pixelOffset + (options.topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x += 1) {
      const [red, green, blue, alpha] = options.pixel(x, y);
      if (bitsPerPixel === 8) file[row + x] = paletteIndex.get(`${red},${green},${blue}`) ?? 0;
      else if (bitsPerPixel === 24) Buffer.from([blue, green, red]).copy(file, row + x * 3);
      else Buffer.from([blue, green, red, alpha]).copy(file, row + x * 4);
    }
  }
  return file;
}

/** RGB(A) of one pixel of any image sharp reads. */
export async function pixelAt(image: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return Array.from(data.subarray(at, at + info.channels));
}

/** Number of pixels darker than mid-grey once flattened onto white ("ink"). Optionally within a region. */
export async function countInk(image: Buffer, region?: { left: number; top: number; width: number; height: number }, background = '#ffffff'): Promise<number> {
  let pipeline = sharp(image).flatten({ background });
  if (region) pipeline = pipeline.extract(region);
  const { data } = await pipeline.greyscale().raw().toBuffer({ resolveWithObject: true });
  let ink = 0;
  for (const value of data) if (value < 128) ink += 1;
  return ink;
}
