/**
 * Sniffs what a file really is from its first bytes. The extension and the Content-Type are
 * never trusted: Slack answers an unauthorised file download with an HTML login page and
 * status 200, and people rename files.
 */

/** Formats we accept. Everything but `bmp` and `heic` is decoded by sharp's prebuilt libvips. */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'avif' | 'heic' | 'tiff' | 'bmp';

export type SniffResult =
  | { kind: 'image'; format: ImageFormat }
  /** A real image or document format we refuse; `name` is for the person ("an SVG drawing"). */
  | { kind: 'unsupported'; name: string }
  | { kind: 'not_image'; looksLike: 'empty' | 'html' | 'text' | 'unknown' };

export const ACCEPTED_FORMATS_SENTENCE = 'JPEG, PNG, WebP, GIF, AVIF, HEIC, TIFF or BMP';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs']);
const AVIF_BRANDS = new Set(['avif', 'avis']);
const BMP_DIB_HEADER_SIZES = new Set([12, 40, 52, 56, 64, 108, 124]);
/** How much of a text file is inspected for `<svg` / `<html`. */
const TEXT_SNIFF_BYTES = 4096;

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((value, index) => bytes[offset + index] === value);
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.subarray(start, Math.min(end, bytes.length))).toString('latin1');
}

function sniffIsoMediaBrands(bytes: Uint8Array): SniffResult | undefined {
  if (bytes.length < 16 || ascii(bytes, 4, 8) !== 'ftyp') return undefined;
  const boxSize = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readUInt32BE(0);
  const brands = [ascii(bytes, 8, 12)];
  for (let offset = 16; offset + 4 <= Math.min(boxSize, bytes.length, 256); offset += 4) brands.push(ascii(bytes, offset, offset + 4));
  if (brands.some((brand) => AVIF_BRANDS.has(brand))) return { kind: 'image', format: 'avif' };
  if (brands.some((brand) => HEIC_BRANDS.has(brand))) return { kind: 'image', format: 'heic' };
  // A bare `mif1`/`msf1` HEIF file without a codec brand: libheif decides; HEVC is by far the common case.
  if (brands.includes('mif1') || brands.includes('msf1')) return { kind: 'image', format: 'heic' };
  if (brands.some((brand) => brand.startsWith('jp2') || brand === 'jpx ')) return { kind: 'unsupported', name: 'a JPEG 2000 image' };
  return { kind: 'unsupported', name: 'a video or other media file' };
}

function looksLikeBmp(bytes: Uint8Array): boolean {
  if (bytes.length < 26 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) return false;
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return BMP_DIB_HEADER_SIZES.has(view.readUInt32LE(14));
}

function sniffText(bytes: Uint8Array): SniffResult {
  const head = Buffer.from(bytes.subarray(0, TEXT_SNIFF_BYTES)).toString('utf8').replace(/^\uFEFF/, '');
  const lower = head.toLowerCase();
  const svgAt = lower.indexOf('<svg');
  const htmlAt = lower.search(/<!doctype html|<html|<head|<body/);
  if (svgAt >= 0 && (htmlAt < 0 || svgAt < htmlAt)) return { kind: 'unsupported', name: 'an SVG drawing' };
  if (htmlAt >= 0) return { kind: 'not_image', looksLike: 'html' };
  // Mostly printable characters → some kind of text (JSON, an error page, a CSV…).
  let printable = 0;
  for (const character of head) {
    const code = character.codePointAt(0) ?? 0;
    if (code === 0xfffd) continue;
    if (code >= 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) printable += 1;
  }
  return { kind: 'not_image', looksLike: head.length > 0 && printable / head.length > 0.95 ? 'text' : 'unknown' };
}

/** Identifies a file from its magic bytes. Pure; reads at most the first few KiB. */
export function sniffImageFormat(bytes: Uint8Array): SniffResult {
  if (bytes.length === 0) return { kind: 'not_image', looksLike: 'empty' };
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { kind: 'image', format: 'jpeg' };
  if (startsWith(bytes, PNG_SIGNATURE)) return { kind: 'image', format: 'png' };
  const first4 = ascii(bytes, 0, 4);
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return { kind: 'image', format: 'gif' };
  if (first4 === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return { kind: 'image', format: 'webp' };
  // Little- and big-endian TIFF, and BigTIFF.
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return { kind: 'image', format: 'tiff' };
  if (startsWith(bytes, [0x49, 0x49, 0x2b, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2b])) return { kind: 'image', format: 'tiff' };
  if (looksLikeBmp(bytes)) return { kind: 'image', format: 'bmp' };
  const isoMedia = sniffIsoMediaBrands(bytes);
  if (isoMedia) return isoMedia;
  if (startsWith(bytes, [0xff, 0x0a]) || (ascii(bytes, 4, 8) === 'JXL ' && bytes[3] === 0x0c)) return { kind: 'unsupported', name: 'a JPEG XL image' };
  if (startsWith(bytes, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20])) return { kind: 'unsupported', name: 'a JPEG 2000 image' };
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00]) && bytes.length >= 6) return { kind: 'unsupported', name: 'an icon (ICO) file' };
  if (first4 === '8BPS') return { kind: 'unsupported', name: 'a Photoshop (PSD) file' };
  if (first4 === '%PDF') return { kind: 'unsupported', name: 'a PDF document' };
  return sniffText(bytes);
}

export function mimeTypeOf(format: ImageFormat): string {
  return format === 'heic' ? 'image/heic' : `image/${format}`;
}
