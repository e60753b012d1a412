/**
 * Cleans people's text before it enters the transcript and prompts: control characters, bidi
 * overrides and zero-width characters removed (they hide or reorder text), whitespace folded,
 * length capped. Returns whether it was clipped so the person can be told.
 */
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const invisible = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g;

export function sanitizeText(text: string, maxChars: number): { text: string; clipped: boolean } {
  const cleaned = text.normalize('NFC').replace(invisible, '').replace(/\r\n?/g, '\n').replace(/[ \t]+/g, ' ').replace(/\n{3,}/g, '\n\n').trim();
  if ([...cleaned].length <= maxChars) return { text: cleaned, clipped: false };
  return { text: [...cleaned].slice(0, maxChars).join(''), clipped: true };
}
