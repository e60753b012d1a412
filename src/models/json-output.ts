/**
 * Tolerant parsing of JSON that a model was asked to produce: strips code fences, reasoning and
 * prose around the first balanced JSON value; then `validateJsonAnswer` checks it with the
 * caller's zod schema, after the caller's `coerce` and with `null` for an optional property read
 * as absent (strict structured output answers that way; weak models often do unasked).
 */
import type { z } from 'zod';
import { stripReasoning } from './reasoning-filter.ts';
import { nullsAsAbsent, type JsonSchema } from './strict-schema.ts';

export type JsonVerdict<T> = { ok: true; value: T } | { ok: false; problem: string };

/** `problem` says what was wrong in words the model can act on (it is sent back in a corrective ask). */
export function validateJsonAnswer<T>(content: string, schema: z.ZodType<T>, jsonSchema: JsonSchema, coerce?: (raw: unknown) => unknown): JsonVerdict<T> {
  let raw: unknown;
  try {
    raw = extractJson(content);
  } catch (error) {
    // No JSON at all ("1. Felt, 3. Wool", "I pick 1 and 3"): a repair may still read the prose.
    if (!coerce) return { ok: false, problem: (error as Error).message };
    const fromText = schema.safeParse(coerce(stripReasoning(content).trim()));
    if (fromText.success) return { ok: true, value: fromText.data };
    return { ok: false, problem: (error as Error).message };
  }
  // Lenient with shapes models commonly return instead (a bare list, say): see `coerce`.
  const parsed = schema.safeParse(nullsAsAbsent(coerce ? coerce(raw) : raw, jsonSchema));
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, problem: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') };
}

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
