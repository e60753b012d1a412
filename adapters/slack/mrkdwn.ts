/**
 * Model output → Slack text. Two targets:
 * - `toSlackMrkdwn` for `text` fields (chat.postMessage / chat.update): `&`, `<`, `>` become
 *   entities (so `<!channel>`, `<!here>`, `<!everyone>`, `<@U…>`, `<!subteam^…>`, `<#C…>` and
 *   `<https://…|label>` show as text and ping or hide nothing), plain `@channel`/`@here`/`@everyone`
 *   are broken with a word joiner, and light Markdown is converted to mrkdwn.
 * - `toSlackMarkdown` for `markdown_text` (native streaming), which takes Markdown as is: special
 *   sequences are broken with invisible characters instead of entities.
 *
 * Contract: a persona never posts a link whose target is hidden. A labelled link
 * (`[label](url)`, `![alt](url)`) is written out as `label (url)`, so the target is visible (and
 * still auto-linked by Slack); any other link syntax is broken so that it shows as text.
 */

const wordJoiner = '\u2060';
const zeroWidthSpace = '\u200B';
const broadcastWords = /@(channel|here|everyone)\b/gi;

export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Breaks plain `@channel`, `@here`, `@everyone` so that no client or parser turns them into a ping. */
export function breakBroadcastWords(text: string): string {
  return text.replace(broadcastWords, (_match, word: string) => `@${wordJoiner}${word}`);
}

/** `label (url)`, or just `url` when the label is the URL itself. */
function visibleLink(label: string, url: string): string {
  return label.trim() === url ? url : `${label} (${url})`;
}

/** Converts light Markdown (outside code) to mrkdwn. Input must already be escaped. */
function convertInline(segment: string): string {
  const boldMark = '\u0001';
  return (
    segment
      // Headings become bold lines.
      .replace(/^#{1,6}\s+(.+?)\s*#*$/gm, `${boldMark}$1${boldMark}`)
      // **bold** and __bold__ → placeholder, so that the single-* italic rule does not see them.
      .replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, `${boldMark}$1${boldMark}`)
      .replace(/__(?=\S)([\s\S]*?\S)__/g, `${boldMark}$1${boldMark}`)
      // Bullets before italics: "* item" / "- item" → "• item".
      .replace(/^(\s*)[*+-]\s+/gm, '$1• ')
      // *italic* → _italic_
      .replace(/(^|[^\w*])\*(?=\S)([^*\n]*?\S)\*(?!\w)/g, '$1_$2_')
      .replace(/~~(?=\S)([\s\S]*?\S)~~/g, '~$1~')
      // [text](https://url) → "text (https://url)": the target stays visible (mrkdwn's own
      // `<url|text>` would hide it). The URL is still escaped text, so nothing special is built.
      .replace(/!?\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g, (_match, label: string, url: string) => visibleLink(label, url))
      .replace(new RegExp(boldMark, 'g'), '*')
  );
}

/** Splits on fenced and inline code so that conversions never touch code. */
function mapOutsideCode(text: string, convert: (segment: string) => string): string {
  return text
    .split(/(```[\s\S]*?(?:```|$)|`[^`\n]+`)/g)
    .map((part, index) => (index % 2 === 1 ? part : convert(part)))
    .join('');
}

/** Model or person text → safe Slack mrkdwn for a `text` field. */
export function toSlackMrkdwn(markdown: string): string {
  return mapOutsideCode(breakBroadcastWords(escapeMrkdwn(markdown)), convertInline);
}

/** Text we compose ourselves (already mrkdwn) with untrusted parts: escape the parts only. */
export function plainForMrkdwn(text: string): string {
  return breakBroadcastWords(escapeMrkdwn(text));
}

/**
 * Model text → safe `markdown_text` (native streaming). Outside code, `[label](url)` and
 * `![alt](url)` become `label (url)`. Everywhere (code detection may disagree with Slack's
 * parser, so safety does not rely on it), invisible characters break what is left:
 * - `<` before a non-space: `<!channel>`, `<@U…>`, `<#C…>`, `<https://…|label>`, HTML tags;
 * - `](` and `][`: inline and reference links the rewrite did not catch (nested brackets);
 * - `[ref]:` at a line start: link reference definitions.
 *
 * Hazard: streaming appends only when the new text extends what was sent; the rewrite changes
 * text already sent when a `[` turns out to open a link, so such a reply stops growing on screen
 * until its final write (the core then rewrites it whole).
 */
export function toSlackMarkdown(markdown: string): string {
  const rewritten = mapOutsideCode(markdown, (segment) => segment.replace(/!?\[([^[\]\n]*)\]\(/g, (_match, label: string) => `${label} (`));
  return breakBroadcastWords(
    rewritten
      .replace(/<(?=\S)/g, `<${zeroWidthSpace}`)
      .replace(/\](?=[([])/g, `]${zeroWidthSpace}`)
      .replace(/^( {0,3}\[[^\]\n]*\]):/gm, `$1${zeroWidthSpace}:`),
  );
}
