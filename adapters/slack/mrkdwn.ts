/**
 * Model output → Slack text. Two targets:
 * - `toSlackMrkdwn` for `text` fields (chat.postMessage / chat.update): `&`, `<`, `>` become
 *   entities (so `<!channel>`, `<!here>`, `<!everyone>`, `<@U…>`, `<!subteam^…>` and `<#C…>` show
 *   as text and ping nobody), plain `@channel`/`@here`/`@everyone` are broken with a word joiner,
 *   and light Markdown is converted to mrkdwn.
 * - `toSlackMarkdown` for `markdown_text` (native streaming), which takes Markdown as is: special
 *   sequences are broken with invisible characters instead of entities.
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
      // [text](https://url) → <https://url|text>; only http(s), so no special `<!…>` can be built.
      .replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)|]+)\)/g, (_match, label: string, url: string) => `<${url.replace(/&amp;/g, '&').replace(/[<>]/g, '')}|${label.replace(/\|/g, '¦')}>`)
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

/** Model text → safe `markdown_text` (native streaming): no special sequence survives. */
export function toSlackMarkdown(markdown: string): string {
  return breakBroadcastWords(markdown.replace(/<(?=[!@#])/g, `<${zeroWidthSpace}`));
}
