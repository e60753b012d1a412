/**
 * Persona display names as every platform can show them: webhook usernames refuse "discord" and
 * "clyde" anywhere and the bare names "everyone" / "here"; `@`, `#`, `:` and code fences are
 * stripped (they would mention, link or format); control and format characters go; whitespace
 * collapses. Used for names people type into panels and for webhook usernames
 * (adapters/discord/persona-name.ts), so a name that was saved is the name that is posted.
 */
export function cleanDisplayName(displayName: string, fallback: string, limit: number): string {
  let name = displayName
    .normalize('NFKC')
    .replace(/\p{Cc}|\p{Cf}/gu, '')
    .replace(/```|[@#:`]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  // Replace letters so the forbidden words disappear but the name stays readable.
  name = name.replace(/discord/gi, (word) => word.replace(/o/i, (letter) => (letter === 'O' ? 'Ο' : 'ο'))).replace(/clyde/gi, (word) => word.replace(/y/i, (letter) => (letter === 'Y' ? 'Υ' : 'γ')));
  if (!name || ['everyone', 'here'].includes(name.toLowerCase())) name = fallback;
  if (name.length > limit) name = `${name.slice(0, limit - 1).trimEnd()}…`;
  return name;
}
