/**
 * Merges the keywords personas proposed into one candidate pool: normalised duplicates removed
 * (Unicode NFKC, case, width, surrounding punctuation and quotes, inner whitespace), ranked by how
 * many personas proposed them, then by first appearance, capped.
 */
import type { KeywordCandidate } from '../session/session-types.ts';

export function normaliseKeyword(raw: string): string {
  return raw
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '')
    .replace(/^[\s\p{P}\p{S}\d.]+|[\s\p{P}\p{S}]+$/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A display label: trimmed of quotes, brackets and list markers, at most 40 characters. */
export function cleanLabel(raw: string): string {
  return raw
    .normalize('NFKC')
    .replace(/[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '')
    .replace(/^[\s"'“”‘’「」『』【】[\]()（）#*\-•\d.、:：]+|[\s"'“”‘’「」『』【】[\]()（）。.,，;；!！?？]+$/g, '')
    .replace(/\s+/g, ' ')
    .slice(0, 40)
    .trim();
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
