/**
 * Splits long (already converted) mrkdwn into messages of at most `limit` characters. Slack
 * truncates `text` past 40,000 characters and long messages read badly; we keep each post
 * ≲ 3,000. Breaks prefer paragraph, then line, then sentence, then word boundaries; an entity
 * (`&amp;`) is never cut, and an open code fence is closed and reopened across parts.
 */
export const slackMessageLimit = 3_000;

function cutPoint(text: string, limit: number): number {
  const window = text.slice(0, limit);
  for (const separator of ['\n\n', '\n', '. ', ' ']) {
    const at = window.lastIndexOf(separator);
    if (at > limit * 0.5) return at + separator.length;
  }
  // No boundary: hard cut, but never inside an entity such as `&amp;`.
  const entity = /&[a-z]{0,5}$/.exec(window);
  return entity ? limit - entity[0].length : limit;
}

export function splitMessage(text: string, limit = slackMessageLimit): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  let reopenFence = false;
  const fenceSpace = 8; // room for "```\n" + "\n```"
  while (rest.length > 0) {
    const prefix: string = reopenFence ? '```\n' : '';
    const budget = limit - prefix.length - fenceSpace;
    if (prefix.length + rest.length <= limit) {
      parts.push(prefix + rest);
      break;
    }
    const at = cutPoint(rest, budget);
    let part: string = prefix + rest.slice(0, at).trimEnd();
    rest = rest.slice(at).trimStart();
    const fences: number = (part.match(/```/g) ?? []).length;
    reopenFence = fences % 2 === 1;
    if (reopenFence) part += '\n```';
    parts.push(part);
  }
  return parts.length > 0 ? parts : [''];
}
