/**
 * Persona avatars for webhook `avatar_url` / Slack `icon_url`: a square PNG of at most 256 px,
 * from the panel's avatar file or, when there is none, generated from the persona's id (colour)
 * and display name (first character, any script). Deterministic: the same input gives the same
 * bytes, so `hash` can version the avatar URL (platform avatar caches are sticky).
 */
import { createHash } from 'node:crypto';
import { loadSharp } from './load-sharp.ts';
import { shortContentHash } from './content-hash.ts';
import { intakeImage } from './image-intake.ts';
import type { ImageLimits } from './image-intake.ts';
import { graphemes, renderText } from './text-render.ts';

export interface AvatarSeed {
  id: string;
  displayName: string;
}

export interface PreparedAvatar {
  png: Buffer;
  /** First 16 hex characters of the PNG's SHA-256, for cache-busting URLs. */
  hash: string;
  width: number;
  height: number;
  /** True when drawn from the seed because no source file was given. */
  generated: boolean;
}

export const AVATAR_MAX_SIDE_PX = 256;
const GENERATED_GLYPH_SIZE_PX = 136;
const GENERATED_SATURATION = 0.55;
const GENERATED_LIGHTNESS = 0.42;

function hslToHex(hueDegrees: number, saturation: number, lightness: number): string {
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const huePrime = hueDegrees / 60;
  const second = chroma * (1 - Math.abs((huePrime % 2) - 1));
  const [red, green, blue] =
    huePrime < 1 ? [chroma, second, 0] : huePrime < 2 ? [second, chroma, 0] : huePrime < 3 ? [0, chroma, second] : huePrime < 4 ? [0, second, chroma] : huePrime < 5 ? [second, 0, chroma] : [chroma, 0, second];
  const offset = lightness - chroma / 2;
  return `#${[red, green, blue].map((channel) => Math.round((channel + offset) * 255).toString(16).padStart(2, '0')).join('')}`;
}

/** The avatar background for a persona id: a hue from the id's SHA-256, fixed saturation and lightness (white text stays readable). */
export function avatarColour(id: string): string {
  const digest = createHash('sha256').update(id).digest();
  return hslToHex(digest.readUInt16BE(0) % 360, GENERATED_SATURATION, GENERATED_LIGHTNESS);
}

/** The character drawn on a generated avatar: the name's first grapheme, upper-cased where that means something. */
export function avatarInitial(seed: AvatarSeed): string {
  const first = graphemes(seed.displayName.trim())[0] ?? graphemes(seed.id.trim())[0] ?? '?';
  return first.toLocaleUpperCase();
}

async function finish(png: Buffer, generated: boolean): Promise<PreparedAvatar> {
  const sharp = await loadSharp();
  const { width, height } = await sharp(png).metadata();
  return { png, hash: shortContentHash(png), width, height, generated };
}

async function generateAvatar(seed: AvatarSeed): Promise<PreparedAvatar> {
  const sharp = await loadSharp();
  const side = AVATAR_MAX_SIDE_PX;
  const glyph = await renderText(avatarInitial(seed), { sizePx: GENERATED_GLYPH_SIZE_PX, colour: '#ffffff' });
  const background = sharp({ create: { width: side, height: side, channels: 4, background: avatarColour(seed.id) } });
  const overlays = glyph && glyph.width <= side && glyph.height <= side ? [{ input: glyph.png, gravity: 'centre' }] : [];
  const png = await background.composite(overlays).png({ compressionLevel: 9 }).toBuffer();
  return finish(png, true);
}

/**
 * Makes a persona's avatar. With `sourceBytes`, the file goes through `intakeImage` (so a bad
 * panel file throws the same coded errors as an upload), then is centre-cropped to a square of
 * min(256, short side) px. Without, one is generated from `seed`.
 */
export async function prepareAvatar(sourceBytes: Buffer | undefined, seed: AvatarSeed, limits: Partial<ImageLimits> = {}): Promise<PreparedAvatar> {
  const sharp = await loadSharp();
  if (sourceBytes === undefined) return generateAvatar(seed);
  const clean = await intakeImage(sourceBytes, { ...limits, filename: `avatar of ${seed.id}` });
  const side = Math.min(AVATAR_MAX_SIDE_PX, clean.width, clean.height);
  const png = await sharp(clean.bytes).resize(side, side, { fit: 'cover', position: 'centre' }).png({ compressionLevel: 9 }).toBuffer();
  return finish(png, false);
}
