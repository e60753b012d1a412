/**
 * Ids for personas and panels made from names people or a model wrote (a character card, a
 * drafted panel): lowercase ASCII slugs that the panel schemas accept, unique within their panel.
 */
import { createHash } from 'node:crypto';

/**
 * A lowercase ASCII slug matching /^[a-z][a-z0-9_]{1,max-1}$/ (or with `-` for `separator: '-'`,
 * as panel ids are written): accents dropped, other characters become the separator. A mostly
 * non-Latin text becomes `<prefix><separator><8 hex of its SHA-256>`.
 */
export function slugOrHash(text: string, max: number, prefix: string, separator: '_' | '-' = '_'): string {
  const plain = text.normalize('NFKD').replace(/\p{M}/gu, '');
  const letters = plain.match(/\p{L}/gu)?.length ?? 0;
  const latin = plain.match(/[A-Za-z]/g)?.length ?? 0;
  if (latin === 0 || latin * 2 < letters) return `${prefix}${separator}${createHash('sha256').update(text).digest('hex').slice(0, 8)}`;
  const edges = new RegExp(`^${separator}+|${separator}+$`, 'g');
  let slug = plain.toLowerCase().replace(/[^a-z0-9]+/g, separator).replace(edges, '');
  if (!/^[a-z]/.test(slug) || slug.length < 2) slug = `${prefix}${separator}${slug}`;
  return slug.slice(0, max).replace(new RegExp(`${separator}+$`), '');
}

/** `base`, or `base_2`, `base_3` … (cut to stay within `max` characters) when taken. */
export function uniqueId(base: string, takenIds: ReadonlySet<string>, max = 40, separator: '_' | '-' = '_'): string {
  for (let n = 1; n < 10_000; n++) {
    const suffix = n === 1 ? '' : `${separator}${n}`;
    const candidate = n === 1 ? base : base.slice(0, max - suffix.length).replace(new RegExp(`${separator}+$`), '') + suffix;
    if (!takenIds.has(candidate)) return candidate;
  }
  throw new Error('no free id');
}
