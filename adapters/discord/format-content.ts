/**
 * Text as it goes to Discord. `allowed_mentions: {parse: []}` is what guarantees nobody is
 * pinged; on top of that, `@everyone` / `@here` are defused with a zero-width space so they do
 * not even look like a mass mention.
 */
import type { APIAllowedMentions } from 'discord.js';

/** Sent on every post and every edit (an edit without it is re-parsed with defaults). */
export const mentionNobody: APIAllowedMentions = Object.freeze({ parse: [] }) as APIAllowedMentions;

const zeroWidthSpace = '\u200b';

export function defuseMassMentions(text: string): string {
  return text.replace(/@(everyone|here)\b/gi, `@${zeroWidthSpace}$1`);
}

/** Removes reasoning blocks that must never reach a thread (the core strips them too). */
export function stripReasoning(text: string): string {
  return text.replace(/<think>[\s\S]*?(<\/think>|$)/gi, '').trim();
}

export function prepareContent(text: string): string {
  return defuseMassMentions(stripReasoning(text));
}

/** A thread name from the topic: one line, ≤ 100 characters. */
export function threadNameFromTopic(topic: string): string {
  const line = topic.replace(/<@!?&?\d+>/g, '').replace(/\s+/g, ' ').trim() || 'Roundtable';
  return line.length <= 100 ? line : `${line.slice(0, 99).trimEnd()}…`;
}
