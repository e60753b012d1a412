/**
 * Formatting for the HTML transcript: times, lengths, token counts, costs, speaker initials.
 *
 * Deterministic by contract: every time is shown in UTC (never the machine's zone) and nothing
 * reads the clock, so the same record renders to the same bytes on any machine with the same Node
 * (Intl output follows Node's ICU). Record fields are plain strings: a time that does not parse
 * is shown as written, a language tag Intl rejects falls back to English, an unknown currency
 * code is printed after the number.
 */
import { t } from '../i18n/translate.ts';

/** A BCP 47 tag Intl accepts (canonicalised), or `en`: also safe to put in `lang="…"`. */
export function documentLanguage(language: string | undefined): string {
  if (!language) return 'en';
  try {
    const [canonical] = Intl.getCanonicalLocales(language);
    return canonical && /^[A-Za-z0-9-]+$/.test(canonical) ? canonical : 'en';
  } catch {
    return 'en';
  }
}

function parseTime(iso: string): Date | undefined {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** "12 Mar 2026, 14:05 UTC" in the document's language; the input as written when it is not a time. */
export function formatDateTime(iso: string, language: string): string {
  const date = parseTime(iso);
  if (!date) return iso;
  const formatted = new Intl.DateTimeFormat(language, { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' }).format(date);
  return `${formatted} UTC`;
}

/** "14:05" (UTC) for a transcript entry; '' when the input is not a time. */
export function formatClock(iso: string): string {
  const date = parseTime(iso);
  if (!date) return '';
  return `${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')}`;
}

/** "1 h 5 min" / "42 min" between two times, rounded to the minute; undefined when either is not a time or the end precedes the start. */
export function formatDuration(startIso: string, endIso: string, language: string): string | undefined {
  const start = parseTime(startIso);
  const end = parseTime(endIso);
  if (!start || !end || end < start) return undefined;
  const totalMinutes = Math.round((end.getTime() - start.getTime()) / 60_000);
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  return hours > 0 ? t(language, 'record.durationHours', { hours, minutes }) : t(language, 'record.durationMinutes', { minutes });
}

/** 12,345 / 12 345 as the language groups digits. */
export function formatCount(count: number, language: string): string {
  return new Intl.NumberFormat(language).format(count);
}

/** "$0.42" for an ISO 4217 code; "0.42 credits" for anything else; "0.42" without a currency. */
export function formatCost(amount: number, currency: string | undefined, language: string): string {
  if (currency && /^[A-Za-z]{3}$/.test(currency)) {
    try {
      return new Intl.NumberFormat(language, { style: 'currency', currency: currency.toUpperCase(), maximumFractionDigits: 4 }).format(amount);
    } catch {
      // An unknown code: printed after the number below.
    }
  }
  const number = new Intl.NumberFormat(language, { maximumFractionDigits: 4 }).format(amount);
  return currency ? `${number} ${currency}` : number;
}

const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The first user-perceived character of a name, upper-cased ("ada" → "A", "小明" → "小"); "?" for a blank name. */
export function initialOf(name: string): string {
  const first = graphemeSegmenter.segment(name.trim())[Symbol.iterator]().next();
  return first.done ? '?' : first.value.segment.toLocaleUpperCase();
}

/** Number of background colours for initials (classes `hue-0` … in transcript-html-style.ts). */
export const INITIAL_HUES = 8;

/** A stable colour class for a person's initial, from their id (FNV-1a), so one person keeps one colour. */
export function hueClass(id: string): string {
  let hash = 0x811c9dc5;
  for (const character of id) {
    hash ^= character.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `hue-${hash % INITIAL_HUES}`;
}
