/**
 * Splits text below Discord's 2000-character message limit, preferring paragraph breaks, then
 * line breaks, then sentence ends, then spaces; a hard cut only when a single "word" is too long.
 */
export const discordMessageLimit = 2000;
/** Headroom under the limit for the continuation marker and escaping. */
export const defaultChunkLimit = 1900;

const sentenceEnd = /[.!?。！？…](?:["')\]»”’]*)\s+/g;

function lastBreak(window: string, minimum: number): number {
  const paragraph = window.lastIndexOf('\n\n');
  if (paragraph >= minimum) return paragraph + 2;
  const line = window.lastIndexOf('\n');
  if (line >= minimum) return line + 1;
  let sentence = -1;
  for (const match of window.matchAll(sentenceEnd)) sentence = (match.index ?? 0) + match[0].length;
  if (sentence >= minimum) return sentence;
  // CJK text has no spaces: a full-width sentence mark without whitespace still counts.
  const cjk = Math.max(window.lastIndexOf('。'), window.lastIndexOf('！'), window.lastIndexOf('？'));
  if (cjk >= minimum) return cjk + 1;
  const space = window.lastIndexOf(' ');
  if (space >= minimum) return space + 1;
  return -1;
}

export function splitMessage(text: string, limit = defaultChunkLimit): string[] {
  const chunks: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    let cut = lastBreak(window, Math.floor(limit / 3));
    if (cut <= 0) {
      cut = limit;
      // Never cut a surrogate pair in half.
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    }
    const chunk = rest.slice(0, cut).trim();
    if (chunk) chunks.push(chunk);
    rest = rest.slice(cut).trim();
  }
  if (rest) chunks.push(rest);
  return chunks;
}
