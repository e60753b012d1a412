/**
 * Text as it goes to Discord. `allowed_mentions: {parse: []}` is what guarantees nobody is
 * pinged; on top of that, `@everyone` / `@here` are defused with a zero-width space so they do
 * not even look like a mass mention, and masked links show their targets.
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

/**
 * A markdown link `[text](url)`: Discord renders it as `text` and hides where it goes, so a
 * model (or a prompt-injected page it quotes) can dress any target as harmless text. Matches
 * `[text]` (no brackets or line breaks inside; escaped or not) followed by `(url)` with a scheme,
 * optionally `<url>` (embed suppressed) and a `"title"`; one level of parentheses inside the
 * url is kept (`…/Lamp_(design)`).
 */
const maskedLink = /\[([^[\]\n]*)\]\(\s*(<)?([a-z][a-z0-9+.-]*:(?:[^\s()<>]|\([^\s()<>]*\))+)>?(?:\s+"[^"\n]*")?\s*\)/gi;

/** Fenced blocks and inline code spans, where Discord renders no links (kept verbatim). */
const codeSegment = /(```[\s\S]*?(?:```|$)|`[^`\n]+`)/;

/**
 * Rewrites `[text](url)` to `text (url)` so the target is always visible (`[url](url)` becomes
 * just `url`; `<url>` keeps its brackets, which only suppress the embed). Bare and `<https://…>`
 * links are left as they are; code is left untouched. Never makes the text longer.
 */
export function revealLinkTargets(text: string): string {
  return text
    .split(codeSegment)
    .map((segment, index) => (index % 2 === 1 ? segment : revealInProse(segment)))
    .join('');
}

function revealInProse(prose: string): string {
  // Until nothing changes: revealing `[b](u)` inside `[a [b](u)](v)` makes the outer link
  // matchable. Each pass shortens the text, so this ends.
  for (let current = prose; ; ) {
    const next = current.replace(maskedLink, (_whole, label: string, bracket: string | undefined, url: string) => {
      const target = bracket ? `<${url}>` : url;
      const shown = label.trim();
      return !shown || shown === url ? target : `${shown} (${target})`;
    });
    if (next === current) return next;
    current = next;
  }
}

export function prepareContent(text: string): string {
  return defuseMassMentions(revealLinkTargets(stripReasoning(text)));
}

/** A thread name from the topic: one line, ≤ 100 characters. */
export function threadNameFromTopic(topic: string): string {
  const line = topic.replace(/<@!?&?\d+>/g, '').replace(/\s+/g, ' ').trim() || 'Roundtable';
  return line.length <= 100 ? line : `${line.slice(0, 99).trimEnd()}…`;
}
