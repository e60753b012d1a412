/**
 * Webhook usernames: 1–80 characters; Discord refuses "discord" and "clyde" anywhere in them and
 * the bare names "everyone" / "here"; `@`, `#`, `:` and code fences are stripped. Different
 * personas must never end up with the same name (same-named consecutive webhook posts merge
 * visually): persona-names.ts disambiguates collisions, atomically across workers.
 */
export const webhookNameLimit = 80;

export function sanitizeWebhookName(displayName: string, fallback: string): string {
  let name = displayName
    .normalize('NFKC')
    .replace(/\p{Cc}|\p{Cf}/gu, '')
    .replace(/```|[@#:]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  // Replace letters so the forbidden words disappear but the name stays readable.
  name = name.replace(/discord/gi, (word) => word.replace(/o/i, (letter) => (letter === 'O' ? 'Ο' : 'ο'))).replace(/clyde/gi, (word) => word.replace(/y/i, (letter) => (letter === 'Y' ? 'Υ' : 'γ')));
  if (!name || ['everyone', 'here'].includes(name.toLowerCase())) name = fallback;
  if (name.length > webhookNameLimit) name = `${name.slice(0, webhookNameLimit - 1).trimEnd()}…`;
  return name;
}
