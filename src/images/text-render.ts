/**
 * Renders text to PNG with sharp's `text` input (Pango + HarfBuzz + FreeType inside sharp's own
 * libvips), pointing it at the font file we ship. The machine needs no installed fonts for Latin,
 * Cyrillic and Chinese: `fontfile` registers our Noto Sans SC subset with libvips' bundled
 * fontconfig (it works even with no fonts.conf). Other scripts (Greek, Arabic, Devanagari,
 * Korean, rare hanzi…) fall back through fontconfig to whatever fonts the machine has; with none
 * installed they draw as boxes.
 */
import { fileURLToPath } from 'node:url';
import { loadSharp } from './load-sharp.ts';

/**
 * Noto Sans SC Regular, subset (Latin, Latin Extended, Vietnamese, Cyrillic, kana, CJK
 * punctuation, 7,333 common hanzi), OFL-1.1; renamed so no installed font can shadow it.
 * Provenance and how it was built: fonts/README.md.
 */
export const FONT_FILE = fileURLToPath(new URL('./fonts/tableround-noto-sans-sc.ttf', import.meta.url));
export const FONT_FAMILY = 'TableRound Noto Sans SC';

export interface TextStyle {
  sizePx: number;
  /** CSS hex colour, e.g. "#1f2937". */
  colour: string;
  /** Wrap (word, then character) at this width. */
  maxWidthPx?: number;
  align?: 'left' | 'centre' | 'right';
}

export interface RenderedText {
  /** PNG with a transparent background, cropped to the ink's line box. */
  png: Buffer;
  width: number;
  height: number;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Splits into user-perceived characters (so "👍🏽" and "é" count as one). */
export function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (segment) => segment.segment);
}

/** Cuts text to at most `maxGraphemes` characters, ending with "…" when cut. */
export function truncateText(text: string, maxGraphemes: number): string {
  const characters = graphemes(text);
  return characters.length <= maxGraphemes ? text : `${characters.slice(0, Math.max(1, maxGraphemes - 1)).join('')}…`;
}

/** Pango markup is always parsed by libvips' text input, so user text must be escaped. */
function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** Control characters and lone surrogates would make Pango reject the markup. */
function clean(text: string): string {
  return text
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .trim();
}

/** Renders one string; undefined when there is nothing to draw. */
export async function renderText(text: string, style: TextStyle): Promise<RenderedText | undefined> {
  const sharp = await loadSharp();
  const cleaned = clean(text);
  if (cleaned === '') return undefined;
  if (!/^#[0-9a-f]{6}$/i.test(style.colour)) throw new TypeError(`renderText: colour must be #rrggbb, got ${style.colour}`);
  const { data, info } = await sharp({
    text: {
      text: `<span foreground="${style.colour}">${escapeMarkup(cleaned)}</span>`,
      font: `${FONT_FAMILY} ${style.sizePx}`,
      fontfile: FONT_FILE,
      // At 72 dpi one point is one pixel.
      dpi: 72,
      rgba: true,
      width: style.maxWidthPx,
      wrap: 'word-char',
      align: style.align === 'centre' ? 'centre' : style.align === 'right' ? 'right' : 'left',
    },
  })
    .png()
    .toBuffer({ resolveWithObject: true });
  return { png: data, width: info.width, height: info.height };
}
