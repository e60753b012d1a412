/**
 * The one message splitter: text longer than a platform's message limit becomes several
 * messages. Breaks prefer a paragraph, then a line, then a sentence end (Latin or CJK), then a
 * space; a hard cut only when a single "word" is too long, and never inside a surrogate pair.
 * A code fence open at a cut is closed and reopened, so each part renders on its own.
 *
 * Splitting happens on the core's light Markdown, before an adapter renders each part; adapters
 * declare a `messageLimit` that leaves room for what rendering adds (escapes, zero-width spaces).
 */

const sentenceEnd = /[.!?。！？…](?:["')\]»”’」』]*)\s+/g;
const fence = '```';
/** Room kept for "```\n" before and "\n```" after a part that continues a code block. */
const fenceRoom = 8;

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

function hardCut(text: string, limit: number): number {
  const code = text.charCodeAt(limit - 1);
  return code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
}

/** Splits `text` into parts of at most `limit` characters each (trimmed, none empty). */
export function splitMessage(text: string, limit: number): string[] {
  if (limit < 2 * fenceRoom) throw new RangeError(`message limit ${limit} is too small`);
  const parts: string[] = [];
  let rest = text.trim();
  let reopen = false;
  while (rest.length > 0) {
    const prefix: string = reopen ? `${fence}\n` : '';
    if (prefix.length + rest.length <= limit) {
      parts.push(prefix + rest);
      break;
    }
    const budget = limit - prefix.length - fenceRoom;
    const window = rest.slice(0, budget);
    let cut = lastBreak(window, Math.floor(budget / 3));
    if (cut <= 0) cut = hardCut(rest, budget);
    let part: string = prefix + rest.slice(0, cut).trimEnd();
    rest = rest.slice(cut).trimStart();
    reopen = (part.split(fence).length - 1) % 2 === 1;
    if (reopen) part += `\n${fence}`;
    if (part.trim()) parts.push(part);
  }
  return parts;
}

/** What a growing text shows while it streams: its first part, marked when more follows. */
export function streamPreview(text: string, limit: number): string {
  const parts = splitMessage(text, limit - 2);
  const first = parts[0] ?? '';
  return parts.length > 1 ? `${first} …` : first;
}
