/**
 * The vote chart's alt text: every keyword's count, said — "Votes per keyword — quiet: people 4,
 * panel 2; warm: …" — in the session's language, most votes first. It must fit the platforms'
 * limits (Slack `files.getUploadURLExternal` `alt_txt` ≤ 1,000 characters, `alt_txt_too_large`
 * past it; a Discord attachment description ≤ 1,024): entries that do not fit are counted
 * ("and 3 more") instead of being cut in the middle. Pure.
 */
import { t } from '../i18n/translate.ts';

/** The smaller of the two platforms' limits, in UTF-16 code units (never more characters than that). */
export const voteAltTextMaxChars = 1_000;

export interface KeywordVotes {
  label: string;
  peopleVotes: number;
  personaVotes: number;
}

export function voteChartAltText(language: string | undefined, rows: readonly KeywordVotes[], maxChars = voteAltTextMaxChars): string {
  const ranked = rows
    .map((row, order) => ({ row, order, total: row.peopleVotes + row.personaVotes }))
    .sort((a, b) => b.total - a.total || a.order - b.order)
    .map(({ row }) => t(language, 'voteChart.altCount', { label: row.label, people: row.peopleVotes, panel: row.personaVotes }));
  const separator = t(language, 'voteChart.altSeparator');
  for (let shown = ranked.length; shown >= 0; shown--) {
    const left = ranked.length - shown;
    const items = [...ranked.slice(0, shown), ...(left > 0 ? [t(language, 'voteChart.altMore', { count: left })] : [])];
    const text = t(language, 'voteChart.altText', { counts: items.join(separator) });
    if (text.length <= maxChars) return text;
  }
  // Only a limit shorter than the sentence itself gets here.
  const whole = t(language, 'voteChart.altText', { counts: t(language, 'voteChart.altMore', { count: ranked.length }) });
  let kept = '';
  for (const character of whole) {
    if (kept.length + character.length > maxChars) break;
    kept += character;
  }
  return kept;
}
