/**
 * Who a post speaks as, in chat.postMessage / chat.startStream terms. Personas post with
 * `username` + `icon_url` (scope `chat:write.customize`); `icon_emoji` when no avatar URL can be
 * served (PUBLIC_BASE_URL unset). The moderator is the bot's own identity: no override.
 */
import type { Speaker } from '../../src/adapter/chat-adapter.ts';

export interface SlackAuthorship {
  username?: string;
  icon_url?: string;
  icon_emoji?: string;
}

/** Slack display names: one line, at most 80 characters, no markup characters. */
export function sanitiseUsername(name: string): string {
  const clean = name.replace(/[\r\n\t<>&]/g, ' ').replace(/\s+/g, ' ').trim();
  return (clean || 'Persona').slice(0, 80);
}

export function authorshipFor(speaker: Speaker): SlackAuthorship {
  if (speaker.kind === 'moderator') return {};
  const { persona } = speaker;
  const authorship: SlackAuthorship = { username: sanitiseUsername(persona.displayName) };
  if (persona.avatarUrl && /^https?:\/\//.test(persona.avatarUrl)) authorship.icon_url = persona.avatarUrl;
  else if (persona.emoji && /^:[a-z0-9_+-]+:$/i.test(persona.emoji)) authorship.icon_emoji = persona.emoji;
  else authorship.icon_emoji = ':speech_balloon:';
  return authorship;
}
