/**
 * Escaping for the HTML transcript: every piece of text that reaches the document — people's
 * messages, model output, names, file names, descriptions — passes through `escapeHtml` first.
 *
 * Hazard: the output is used both as element content and inside double- *or* single-quoted
 * attribute values, so all five of `& < > " '` are escaped, always. Control characters (other
 * than tab and newline) are dropped: they are invalid in HTML and NUL is used as a placeholder by
 * inline-markdown.ts. Images become `data:` URLs only for raster types a browser decodes safely;
 * anything else (SVG, HTML, a malformed type) returns undefined and the caller shows text instead.
 */

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** Text made safe for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(CONTROL_CHARACTERS, '').replace(/[&<>"']/g, (character) => ESCAPES[character] ?? '');
}

/** Content types embedded as images; SVG is left out on purpose (it is a document, not a picture). */
const EMBEDDABLE_IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif']);

export interface EmbeddableImage {
  contentType: string;
  bytes: Buffer;
}

/**
 * `data:image/png;base64,…` for `images[key]`, or undefined when there is no such entry (own
 * properties only: a poll id or hash such as "constructor" finds nothing), the type is not a plain
 * raster image, or there are no bytes.
 */
export function imageDataUrl(images: Readonly<Record<string, EmbeddableImage>>, key: string): string | undefined {
  const image = Object.hasOwn(images, key) ? images[key] : undefined;
  if (!image || image.bytes.length === 0) return undefined;
  const contentType = image.contentType.trim().toLowerCase();
  if (!EMBEDDABLE_IMAGE_TYPES.has(contentType)) return undefined;
  return `data:${contentType};base64,${image.bytes.toString('base64')}`;
}
