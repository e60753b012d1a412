/**
 * A persona's keywords: the schema, and the repair that runs before it (the gateway's `coerce`).
 *
 * Models answer keywords in many shapes: `{ "keywords": [...] }`, a bare list, one string of
 * comma-separated words ("剪纸，红色、羊毛"), numbered lines, `{ "keywords": "felt, wool" }`, another
 * key (`{ "tags": [...] }`, `{ "result": { "keywords": [...] } }`), objects per keyword
 * (`[{ "keyword": "felt" }]`). The repair reads them all, splits strings at separators, strips list
 * markers and quotes, drops empties and repeats, and clips instead of failing: a keyword longer
 * than `keywordLimits.length` is cut at a word break, a list longer than `keywordLimits.count` is
 * cut to it.
 *
 * Hazard: with nothing usable it returns `{ keywords: [] }` — invalid on purpose, so the gateway's
 * one corrective retry happens; it never invents a keyword.
 */
import { z } from 'zod';
import { clipAtWord, normaliseKeyword } from './keyword-pool.ts';

export const keywordLimits = { length: 80, count: 15 } as const;

export const keywordsSchema = z.object({
  keywords: z
    .array(z.string().min(1).max(keywordLimits.length))
    .min(1, { error: 'give at least one keyword: a short word or phrase from the discussion' })
    .max(keywordLimits.count),
});

const listKeys = /^(key_?words?|words?|tags?|terms?|topics?|concepts?|list|items|candidates|phrases)$/i;
const itemKeys = ['keyword', 'label', 'text', 'name', 'term', 'word', 'value', 'title'];
const listMarker = /^\s*(?:\d{1,3}\s*[.)、:：](?!\d)|[-*•·])\s*/u;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Repairs a raw keywords answer (see the header). Never throws. */
export function repairKeywords(raw: unknown): { keywords: string[] } {
  const seen = new Set<string>();
  const keywords: string[] = [];
  for (const item of keywordItems(raw, 0)) {
    for (const piece of item.split(/[,，、;；\n]+/)) {
      const keyword = clipAtWord(piece.replace(listMarker, '').replace(/^["'“”‘’「」『』]+|["'“”‘’「」『』]+$/g, '').replace(/\s+/g, ' '), keywordLimits.length);
      const key = normaliseKeyword(keyword);
      if (!key || seen.has(key)) continue;
      seen.add(key);
      keywords.push(keyword);
    }
  }
  return { keywords: keywords.slice(0, keywordLimits.count) };
}

/** The strings that may hold keywords, wherever the answer put them. */
function keywordItems(raw: unknown, depth: number): string[] {
  if (typeof raw === 'string') return [raw];
  if (typeof raw === 'number') return [String(raw)];
  if (Array.isArray(raw)) return raw.flatMap((item) => (isRecord(item) ? itemText(item) : keywordItems(item, depth + 1)));
  if (!isRecord(raw) || depth > 3) return [];
  const entries = Object.entries(raw);
  const named = entries.find(([key]) => listKeys.test(key)) ?? entries.find(([, value]) => Array.isArray(value)) ?? entries.find(([, value]) => isRecord(value));
  return named ? keywordItems(named[1], depth + 1) : [];
}

/** `{ "keyword": "felt", "why": "…" }` → "felt". */
function itemText(item: Record<string, unknown>): string[] {
  const lowered = new Map(Object.entries(item).map(([key, value]) => [key.toLowerCase(), value]));
  const text = itemKeys.map((key) => lowered.get(key)).find((value) => typeof value === 'string') ?? Object.values(item).find((value) => typeof value === 'string');
  return typeof text === 'string' ? [text] : [];
}
