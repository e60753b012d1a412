/**
 * Webhook usernames: 1–80 characters; Discord refuses "discord" and "clyde" anywhere in them and
 * the bare names "everyone" / "here"; `@`, `#`, `:` and code fences are stripped. Different
 * personas must never end up with the same name (same-named consecutive webhook posts merge
 * visually): persona-names.ts disambiguates collisions, atomically across workers.
 */
import { cleanDisplayName } from '../../src/panels/display-name.ts';
export const webhookNameLimit = 80;

export function sanitizeWebhookName(displayName: string, fallback: string): string {
  return cleanDisplayName(displayName, fallback, webhookNameLimit);
}
