/**
 * Tolerant parsing of JSON that a model was asked to produce: strips code fences, reasoning and
 * prose around the first balanced JSON value. Validation is the caller's zod schema.
 */
import { stripReasoning } from './reasoning-filter.ts';

export function extractJson(text: string): unknown {
  const cleaned = stripReasoning(text).replace(/```(?:json)?/gi, '').trim();
  try {
    return JSON.parse(cleaned);
  } catch {
    // fall through to the first balanced object/array
  }
  for (let start = 0; start < cleaned.length; start++) {
    const open = cleaned[start];
    if (open !== '{' && open !== '[') continue;
    const end = balancedEnd(cleaned, start);
    if (end === -1) continue;
    try {
      return JSON.parse(cleaned.slice(start, end + 1));
    } catch {
      continue;
    }
  }
  throw new SyntaxError('no JSON value found in the model output');
}

function balancedEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let index = start; index < text.length; index++) {
    const character = text[index];
    if (inString) {
      if (character === '\\') index++;
      else if (character === '"') inString = false;
      continue;
    }
    if (character === '"') inString = true;
    else if (character === '{' || character === '[') depth++;
    else if (character === '}' || character === ']') {
      depth--;
      if (depth === 0) return index;
    }
  }
  return -1;
}
