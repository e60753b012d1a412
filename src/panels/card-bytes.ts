/**
 * A character card's bytes or text → its JSON text: JSON as given (BOM dropped), or a PNG whose
 * `tEXt`/`iTXt` chunk (`ccv3`, else `chara`) holds base64 of it. Chunks are read by hand up to
 * `IEND`; CRCs are not checked and pixels are never decoded. Sizes are capped before anything is
 * decoded. Every refusal is a `card_invalid` TableRoundError with a short, true `publicMessage`.
 */
import { Buffer } from 'node:buffer';
import { TableRoundError } from '../errors.ts';

/** Largest file accepted (PNG or JSON bytes). */
export const MAX_CARD_BYTES = 8 * 1024 * 1024;
/** Largest card JSON accepted, in UTF-8 bytes after base64 decoding. */
export const MAX_CARD_JSON_BYTES = 256 * 1024;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/** A refusal of a card: the code every card refusal carries. */
export function refusal(message: string, publicMessage: string, cause?: unknown): TableRoundError {
  return new TableRoundError('card_invalid', message, cause === undefined ? { publicMessage } : { publicMessage, cause });
}

export function pngCardJson(bytes: Uint8Array): string {
  checkFileSize(bytes);
  if (!hasPngSignature(bytes)) throw refusal('not a PNG: bad signature', 'This file is not a PNG image.');
  const chunks = cardChunks(bytes);
  const usable = chunks.ccv3?.text !== undefined ? chunks.ccv3 : chunks.chara?.text !== undefined ? chunks.chara : undefined;
  if (usable?.text !== undefined) return decodeCardBase64(usable.text);
  if (chunks.ccv3 ?? chunks.chara) {
    throw refusal('PNG card chunk is a compressed iTXt', 'This PNG stores its card compressed, which is not supported.');
  }
  throw refusal('PNG has no chara/ccv3 text chunk', 'This PNG has no character card in it.');
}

/** The card JSON text of what the person gave. */
export function cardText(input: Uint8Array | string): string {
  if (typeof input === 'string') {
    checkJsonSize(Buffer.byteLength(input, 'utf8'));
    return input.replace(/^\uFEFF/, '');
  }
  checkFileSize(input);
  if (hasPngSignature(input)) return pngCardJson(input);
  if (!startsLikeJsonObject(input)) {
    throw refusal('input is neither a PNG nor JSON', 'This file is not a PNG character card or card JSON.');
  }
  checkJsonSize(input.byteLength);
  return decodeUtf8(input);
}

/** Whether the first byte after an optional UTF-8 BOM and whitespace is `{`. */
function startsLikeJsonObject(bytes: Uint8Array): boolean {
  let index = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (index < bytes.byteLength && [0x20, 0x09, 0x0a, 0x0d].includes(bytes[index] ?? 0)) index++;
  return bytes[index] === 0x7b;
}

function checkFileSize(bytes: Uint8Array): void {
  if (bytes.byteLength > MAX_CARD_BYTES) {
    throw refusal(`card file is ${bytes.byteLength} bytes`, 'This file is too large for a character card (limit 8 MiB).');
  }
}

function checkJsonSize(byteLength: number): void {
  if (byteLength > MAX_CARD_JSON_BYTES) {
    throw refusal(`card JSON is ${byteLength} bytes`, 'This card\'s text is too large (limit 256 KiB).');
  }
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw refusal('card text is not UTF-8', 'This card\'s text is not valid UTF-8.', error);
  }
}

function hasPngSignature(bytes: Uint8Array): boolean {
  return bytes.byteLength >= PNG_SIGNATURE.length && PNG_SIGNATURE.every((byte, index) => bytes[index] === byte);
}

interface CardChunk {
  /** The chunk's text; undefined for a compressed iTXt. */
  text: string | undefined;
}

/** The first `chara` and `ccv3` text chunks before IEND (keywords compared case-insensitively). */
function cardChunks(bytes: Uint8Array): { chara?: CardChunk; ccv3?: CardChunk } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found: { chara?: CardChunk; ccv3?: CardChunk } = {};
  let offset = PNG_SIGNATURE.length;
  for (;;) {
    if (offset + 8 > bytes.byteLength) throw truncatedPng(`no chunk header at ${offset}`);
    const length = view.getUint32(offset);
    const type = latin1(bytes.subarray(offset + 4, offset + 8));
    if (!/^[A-Za-z]{4}$/.test(type) || length > 0x7fffffff) {
      throw refusal(`bad PNG chunk at ${offset}`, 'This PNG file is damaged.');
    }
    const start = offset + 8;
    const end = start + length;
    if (end + 4 > bytes.byteLength) throw truncatedPng(`chunk ${type} at ${offset} runs past the end`);
    if (type === 'IEND') return found;
    if (type === 'tEXt' || type === 'iTXt') {
      const chunk = type === 'tEXt' ? readText(bytes.subarray(start, end)) : readInternationalText(bytes.subarray(start, end));
      const keyword = chunk?.keyword.toLowerCase();
      if (chunk && (keyword === 'chara' || keyword === 'ccv3') && !found[keyword]) found[keyword] = { text: chunk.text };
    }
    offset = end + 4;
  }
}

function truncatedPng(detail: string): TableRoundError {
  return refusal(`truncated PNG: ${detail}`, 'This PNG file is cut short or damaged.');
}

/** `tEXt`: keyword, NUL, Latin-1 text. Undefined when there is no NUL. */
function readText(data: Uint8Array): { keyword: string; text: string } | undefined {
  const nul = data.indexOf(0);
  if (nul < 1) return undefined;
  return { keyword: latin1(data.subarray(0, nul)), text: latin1(data.subarray(nul + 1)) };
}

/**
 * `iTXt`: keyword, NUL, compression flag, method, language tag, NUL, translated keyword, NUL,
 * UTF-8 text. A compressed one yields `text: undefined`; a malformed one yields undefined.
 */
function readInternationalText(data: Uint8Array): { keyword: string; text: string | undefined } | undefined {
  const nul = data.indexOf(0);
  if (nul < 1 || nul + 2 >= data.byteLength) return undefined;
  const keyword = latin1(data.subarray(0, nul));
  const compressed = data[nul + 1] !== 0;
  const languageEnd = data.indexOf(0, nul + 3);
  const translatedEnd = languageEnd < 0 ? -1 : data.indexOf(0, languageEnd + 1);
  if (translatedEnd < 0) return undefined;
  // The text is UTF-8, but base64 is ASCII: anything else fails the base64 check later.
  return { keyword, text: compressed ? undefined : latin1(data.subarray(translatedEnd + 1)) };
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function decodeCardBase64(text: string): string {
  const compact = text.replace(/\s+/g, '');
  const valid = /^[A-Za-z0-9+/]+={0,2}$/.test(compact) && (compact.includes('=') ? compact.length % 4 === 0 : compact.length % 4 !== 1);
  if (!valid) throw refusal('PNG card chunk is not base64', 'This PNG\'s card data is not valid base64.');
  checkJsonSize(Math.floor((compact.length * 3) / 4) - (compact.length - compact.replace(/=+$/, '').length));
  return decodeUtf8(Buffer.from(compact, 'base64'));
}
