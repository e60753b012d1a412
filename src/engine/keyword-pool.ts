/**
 * Merges the keywords personas proposed into one candidate pool: normalised duplicates removed
 * (Unicode NFKC, case, width, surrounding punctuation and quotes, a leading list marker, inner
 * whitespace), ranked by how many personas proposed them, then by first appearance, capped.
 *
 * Hazard: only a list marker ("1. ", "2) ", "3、") is stripped from the front, never digits as
 * such — a keyword may be a number or start with one ("2025", "3D printing").
 */
import type { KeywordCandidate } from '../session/session-types.ts';

/** A list marker a model puts before an item: "1. ", "2) ", "3、", "- ", "• ". */
const listMarker = /^\s*(?:\d{1,3}\s*[.)、:：](?!\d)|[-*•·])\s*/u;

export function normaliseKeyword(raw: string): string {
  return raw
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '')
    .replace(listMarker, '')
    .replace(/^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Longest display label, in characters. */
export const labelMaxLength = 40;

/** A display label: trimmed of quotes, brackets and a list marker, at most `labelMaxLength` characters. */
export function cleanLabel(raw: string): string {
  const cleaned = raw
    .normalize('NFKC')
    .replace(/[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '')
    .replace(listMarker, '')
    .replace(/^[\s"'“”‘’「」『』【】[\]()（）#*\-•]+|[\s"'“”‘’「」『』【】[\]()（）。.,，;；!！?？]+$/g, '')
    .replace(/\s+/g, ' ');
  return clipAtWord(cleaned, labelMaxLength);
}

/**
 * Cuts `text` to at most `max` characters (code points), at the last space when there is one in
 * the second half, so a clipped label ends with a whole word; CJK text (no spaces) is cut hard.
 */
export function clipAtWord(text: string, max: number): string {
  const characters = [...text];
  if (characters.length <= max) return text.trim();
  const cut = characters.slice(0, max).join('');
  const space = cut.lastIndexOf(' ');
  return (space >= cut.length / 2 ? cut.slice(0, space) : cut).trim();
}

export function mergeKeywords(proposals: { personaId: string; keywords: string[] }[], cap: number): KeywordCandidate[] {
  const byKey = new Map<string, KeywordCandidate & { order: number }>();
  let order = 0;
  for (const { personaId, keywords } of proposals) {
    for (const raw of keywords) {
      const label = cleanLabel(raw);
      const key = normaliseKeyword(label);
      if (!key) continue;
      const existing = byKey.get(key);
      if (existing) {
        if (!existing.sources.includes(personaId)) existing.sources.push(personaId);
      } else {
        byKey.set(key, { label, key, sources: [personaId], order: order++ });
      }
    }
  }
  return [...byKey.values()]
    .sort((a, b) => b.sources.length - a.sources.length || a.order - b.order)
    .slice(0, cap)
    .map(({ label, key, sources }) => ({ label, key, sources }));
}
