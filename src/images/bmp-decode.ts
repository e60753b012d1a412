/**
 * A small BMP decoder: sharp's prebuilt libvips cannot read BMP. Handles what Windows, Paint and
 * screenshot tools write: uncompressed 1/4/8-bit palette, 16/24/32-bit, and BI_BITFIELDS masks,
 * bottom-up or top-down. RLE and embedded JPEG/PNG are refused as unsupported.
 */
import { TableRoundError } from '../errors.ts';

export interface BmpHeader {
  width: number;
  /** Always positive; `topDown` says which way the rows run. */
  height: number;
  topDown: boolean;
  bitsPerPixel: number;
  compression: number;
  pixelOffset: number;
  dibHeaderSize: number;
}

export interface RawImage {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Buffer;
}

const BI_RGB = 0;
const BI_RLE8 = 1;
const BI_RLE4 = 2;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;
const FILE_HEADER_SIZE = 14;

function corrupt(message: string): TableRoundError {
  return new TableRoundError('image_corrupt', `BMP: ${message}`, { publicMessage: 'That BMP image is damaged or incomplete.' });
}

/** Reads the BMP headers only (no pixel work), so the pixel count can be checked before decoding. */
export function readBmpHeader(bytes: Buffer): BmpHeader {
  if (bytes.length < FILE_HEADER_SIZE + 12) throw corrupt('file too short for its headers');
  const pixelOffset = bytes.readUInt32LE(10);
  const dibHeaderSize = bytes.readUInt32LE(14);
  if (bytes.length < FILE_HEADER_SIZE + dibHeaderSize) throw corrupt('file too short for its headers');
  let width: number;
  let signedHeight: number;
  let bitsPerPixel: number;
  let compression = BI_RGB;
  if (dibHeaderSize === 12) {
    width = bytes.readUInt16LE(18);
    signedHeight = bytes.readInt16LE(20);
    bitsPerPixel = bytes.readUInt16LE(24);
  } else {
    width = bytes.readInt32LE(18);
    signedHeight = bytes.readInt32LE(22);
    bitsPerPixel = bytes.readUInt16LE(28);
    compression = bytes.readUInt32LE(30);
  }
  if (width <= 0 || signedHeight === 0) throw corrupt(`invalid size ${width}×${signedHeight}`);
  return { width, height: Math.abs(signedHeight), topDown: signedHeight < 0, bitsPerPixel, compression, pixelOffset, dibHeaderSize };
}

interface ChannelMask {
  mask: number;
  shift: number;
  maximum: number;
}

function channelMask(mask: number): ChannelMask {
  if (mask === 0) return { mask: 0, shift: 0, maximum: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift += 1;
  return { mask, shift, maximum: mask >>> shift };
}

function extract(pixel: number, channel: ChannelMask): number {
  if (channel.maximum === 0) return 0;
  return Math.round((((pixel & channel.mask) >>> channel.shift) * 255) / channel.maximum);
}

function readMasks(bytes: Buffer, header: BmpHeader): { red: ChannelMask; green: ChannelMask; blue: ChannelMask; alpha: ChannelMask } {
  const masksAt = FILE_HEADER_SIZE + 40;
  const hasAlphaMask = header.dibHeaderSize >= 56 || header.compression === BI_ALPHABITFIELDS;
  if (header.compression === BI_BITFIELDS || header.compression === BI_ALPHABITFIELDS) {
    if (bytes.length < masksAt + (hasAlphaMask ? 16 : 12)) throw corrupt('file too short for its colour masks');
    return {
      red: channelMask(bytes.readUInt32LE(masksAt)),
      green: channelMask(bytes.readUInt32LE(masksAt + 4)),
      blue: channelMask(bytes.readUInt32LE(masksAt + 8)),
      alpha: channelMask(hasAlphaMask ? bytes.readUInt32LE(masksAt + 12) : 0),
    };
  }
  if (header.bitsPerPixel === 16) {
    return { red: channelMask(0x7c00), green: channelMask(0x03e0), blue: channelMask(0x001f), alpha: channelMask(0) };
  }
  // 32-bit BI_RGB: BGRX; the X byte is used as alpha only if some pixel sets it (see decodeBmp).
  return { red: channelMask(0x00ff0000), green: channelMask(0x0000ff00), blue: channelMask(0x000000ff), alpha: channelMask(0xff000000) };
}

function readPalette(bytes: Buffer, header: BmpHeader): Buffer[] {
  const entrySize = header.dibHeaderSize === 12 ? 3 : 4;
  const colorsUsed = header.dibHeaderSize >= 40 ? bytes.readUInt32LE(46) : 0;
  const count = colorsUsed > 0 ? Math.min(colorsUsed, 256) : 2 ** header.bitsPerPixel;
  const maskBytes = header.dibHeaderSize === 40 && header.compression === BI_BITFIELDS ? 12 : 0;
  const paletteAt = FILE_HEADER_SIZE + header.dibHeaderSize + maskBytes;
  const palette: Buffer[] = [];
  for (let index = 0; index < count; index += 1) {
    const at = paletteAt + index * entrySize;
    if (at + 3 > bytes.length) break;
    palette.push(Buffer.from([bytes[at + 2] ?? 0, bytes[at + 1] ?? 0, bytes[at] ?? 0]));
  }
  if (palette.length === 0) throw corrupt('missing colour palette');
  return palette;
}

/** Decodes a BMP to raw RGB (or RGBA when the file carries real alpha). Check the size with `readBmpHeader` first. */
export function decodeBmp(bytes: Buffer): RawImage {
  const header = readBmpHeader(bytes);
  const { width, height, bitsPerPixel, compression } = header;
  if (compression === BI_RLE8 || compression === BI_RLE4 || (compression !== BI_RGB && compression !== BI_BITFIELDS && compression !== BI_ALPHABITFIELDS)) {
    throw new TableRoundError('image_unsupported', `BMP compression ${compression} is not supported`, {
      publicMessage: 'That BMP uses compression we cannot read; please send it as PNG or JPEG.',
    });
  }
  if (![1, 4, 8, 16, 24, 32].includes(bitsPerPixel)) throw corrupt(`unsupported bit depth ${bitsPerPixel}`);
  const stride = Math.floor((bitsPerPixel * width + 31) / 32) * 4;
  if (header.pixelOffset + stride * height > bytes.length) throw corrupt('pixel data is truncated');

  const rgba = Buffer.alloc(width * height * 4);
  const palette = bitsPerPixel <= 8 ? readPalette(bytes, header) : [];
  const masks = bitsPerPixel >= 16 ? readMasks(bytes, header) : undefined;
  let anyAlpha = false;
  for (let row = 0; row < height; row += 1) {
    const sourceRow = header.pixelOffset + (header.topDown ? row : height - 1 - row) * stride;
    for (let column = 0; column < width; column += 1) {
      const out = (row * width + column) * 4;
      if (bitsPerPixel <= 8) {
        const bitOffset = column * bitsPerPixel;
        const byte = bytes[sourceRow + (bitOffset >> 3)] ?? 0;
        const index = (byte >> (8 - bitsPerPixel - (bitOffset & 7))) & ((1 << bitsPerPixel) - 1);
        const colour = palette[index] ?? palette[0];
        colour?.copy(rgba, out);
        rgba[out + 3] = 255;
      } else if (bitsPerPixel === 24) {
        const at = sourceRow + column * 3;
        rgba[out] = bytes[at + 2] ?? 0;
        rgba[out + 1] = bytes[at + 1] ?? 0;
        rgba[out + 2] = bytes[at] ?? 0;
        rgba[out + 3] = 255;
      } else if (masks) {
        const pixel = bitsPerPixel === 16 ? bytes.readUInt16LE(sourceRow + column * 2) : bytes.readUInt32LE(sourceRow + column * 4);
        rgba[out] = extract(pixel, masks.red);
        rgba[out + 1] = extract(pixel, masks.green);
        rgba[out + 2] = extract(pixel, masks.blue);
        const alpha = masks.alpha.maximum === 0 ? 255 : extract(pixel, masks.alpha);
        rgba[out + 3] = alpha;
        if (masks.alpha.maximum !== 0 && alpha !== 0) anyAlpha = true;
      }
    }
  }
  // Many writers leave the fourth byte of 32-bit pixels at 0: all-zero alpha means "opaque".
  const hasRealAlpha = masks !== undefined && masks.alpha.maximum !== 0 && anyAlpha;
  if (hasRealAlpha) return { width, height, channels: 4, data: rgba };
  const rgb = Buffer.alloc(width * height * 3);
  for (let pixel = 0; pixel < width * height; pixel += 1) rgba.copy(rgb, pixel * 3, pixel * 4, pixel * 4 + 3);
  return { width, height, channels: 3, data: rgb };
}
