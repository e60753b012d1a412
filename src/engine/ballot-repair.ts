/**
 * A persona's ballot: the schema built for one poll, and the repair that runs before it.
 *
 * Schema (`ballotSchemaFor`): `choices` is a list of the poll's candidate numbers 1..n as literal
 * values — JSON Schema `enum`, so a provider that enforces schemas (OpenAI strict, vLLM and
 * llama.cpp grammars) can only produce real candidates — at least 1 and at most the ballot size.
 * Every message it can fail with lists the valid numbers, so the gateway's one corrective retry
 * (which quotes the zod issues) tells the model exactly what it may answer.
 *
 * Repair (`repairBallot`, the gateway's `coerce`): weak models answer the keywords' text, numbers
 * as strings, "1. Felt, 3. Wool", `{ "votes": [...] }`, `{ "choice": 2 }`, a bare list or a bare
 * number. Every item is resolved to a candidate number: an in-range number as given; a label
 * matched by src/engine/text-match.ts; for "3. Felt" or `{ number: 3, keyword: "Felt" }` the label
 * wins when it names a candidate — a numbered list is often the model's own ranking, not the
 * poll's numbering — and the number is used otherwise. Out-of-range numbers, unknown labels and
 * repeats are dropped and the list is cut to the ballot size, order kept (most important first).
 *
 * Hazard: when nothing valid remains the repair returns `{ choices: [] }` on purpose — invalid, so
 * the gateway retries once with the schema's message naming the valid numbers — rather than
 * guessing. Never return a ballot the model did not express.
 */
import { z } from 'zod';
import { matchCandidate } from './text-match.ts';

export const reasonMaxLength = 400;

export interface BallotAnswer {
  /** 1-based candidate numbers, most important first. */
  choices: number[];
  reason?: string;
}

/** The ballot schema for a poll of `candidateCount` candidates and ballots of `size` choices. */
export function ballotSchemaFor(candidateCount: number, size: number): z.ZodType<BallotAnswer> {
  const numbers = Array.from({ length: Math.max(1, candidateCount) }, (_, index) => index + 1);
  const pick = `give 1 to ${size} of the candidate numbers ${numbers.join(', ')}`;
  return z.object({
    choices: z
      .array(z.literal(numbers, { error: `not a candidate number: ${pick}` }), { error: `"choices" must be a list: ${pick}` })
      .min(1, { error: `no candidate chosen: ${pick}` })
      .max(size, { error: `too many choices: ${pick}` }),
    reason: z.string().max(reasonMaxLength).optional(),
  });
}

const choiceKeys = /^(choices?|votes?|ballot|picks?|selection|selected|selections|answers?|candidates?|keywords?|options?|ranking|top)$/i;
const reasonKeys = /^(reason|reasons|why|rationale|explanation|because|comment)$/i;
const labelKeys = ['keyword', 'label', 'text', 'name', 'title', 'candidate', 'option', 'value'];
const numberKeys = ['number', 'choice', 'id', 'index', 'candidate', 'position', 'option', 'value', 'num', 'no'];

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Repairs a raw ballot answer for a poll (see the header). Never throws. */
export function repairBallot(raw: unknown, candidates: readonly string[], size: number): unknown {
  const { items, reason } = ballotParts(raw, 0);
  const chosen: number[] = [];
  for (const item of items) {
    const number = resolveChoice(item, candidates);
    if (number !== undefined && !chosen.includes(number)) chosen.push(number);
  }
  const clippedReason = reason?.trim().slice(0, reasonMaxLength);
  return { choices: chosen.slice(0, size), ...(clippedReason ? { reason: clippedReason } : {}) };
}

/** The items that may name choices, and a reason if one was given. */
function ballotParts(raw: unknown, depth: number): { items: unknown[]; reason?: string } {
  if (Array.isArray(raw)) return { items: raw.flat(2) };
  if (typeof raw === 'string') return { items: splitChoices(raw) };
  if (typeof raw === 'number') return { items: [raw] };
  if (!isRecord(raw) || depth > 3) return { items: [] };
  const reasonEntry = Object.entries(raw).find(([key, value]) => reasonKeys.test(key) && typeof value === 'string');
  const reason = reasonEntry ? (reasonEntry[1] as string) : undefined;
  const entries = Object.entries(raw).filter(([key]) => !reasonKeys.test(key));
  const named = entries.find(([key]) => choiceKeys.test(key)) ?? entries.find(([, value]) => Array.isArray(value)) ?? entries.find(([, value]) => isRecord(value));
  // `{ "first": 2, "second": 4 }`: the values themselves.
  if (!named) return { items: entries.map(([, value]) => value).filter((value) => typeof value === 'string' || typeof value === 'number'), ...(reason ? { reason } : {}) };
  const [, value] = named;
  // `{ "ballot": { "choices": [...] } }`, or `{ "choices": { "first": 2, "second": 4 } }`.
  const inner = isRecord(value) && !Object.keys(value).some((key) => numberKeys.includes(key.toLowerCase()) || labelKeys.includes(key.toLowerCase())) ? ballotParts(value, depth + 1) : undefined;
  const items = inner && inner.items.length > 0 ? inner.items : isRecord(value) ? [value] : ballotParts(value, depth + 1).items;
  const found = reason ?? inner?.reason;
  return { items, ...(found ? { reason: found } : {}) };
}

/** "1. Felt, 3. Wool" / "felt; wool" / "1 and 3" → one item each. */
function splitChoices(text: string): string[] {
  return text
    .split(/[,，、;；\n|]+/)
    .flatMap((part) => part.split(/\s+(?:and|&|or)\s+|[和及与]/))
    .map((part) => part.trim())
    .filter(Boolean);
}

/** A 1-based candidate number for one item, or undefined. */
export function resolveChoice(item: unknown, candidates: readonly string[]): number | undefined {
  const inRange = (number: number) => (Number.isInteger(number) && number >= 1 && number <= candidates.length ? number : undefined);
  const byLabel = (label: string) => {
    const index = matchCandidate(label, candidates);
    return index === undefined ? undefined : index + 1;
  };
  if (typeof item === 'number') return inRange(item);
  if (typeof item === 'string') return resolveText(item.normalize('NFKC').trim(), candidates, inRange, byLabel);
  if (!isRecord(item)) return undefined;
  const lowered = new Map(Object.entries(item).map(([key, value]) => [key.toLowerCase(), value]));
  const label = labelKeys.map((key) => lowered.get(key)).find((value): value is string => typeof value === 'string' && !/^\s*#?\d+\s*$/.test(value));
  const labelled = label === undefined ? undefined : byLabel(label);
  if (labelled !== undefined) return labelled;
  const number = numberKeys.map((key) => lowered.get(key)).find((value) => typeof value === 'number' || (typeof value === 'string' && /^\s*#?\d+\s*$/.test(value)));
  if (number !== undefined) return inRange(Number(String(number).replace('#', '')));
  const primitives = [...lowered.values()].filter((value) => typeof value === 'string' || typeof value === 'number');
  return primitives.length === 1 ? resolveChoice(primitives[0], candidates) : undefined;
}

function resolveText(text: string, candidates: readonly string[], inRange: (number: number) => number | undefined, byLabel: (label: string) => number | undefined): number | undefined {
  const bare = /^(?:#|no\.?|number|option|candidate)?\s*[([]?\s*(\d+)\s*[)\].]?$/i.exec(text);
  if (bare) return inRange(Number(bare[1]));
  // A keyword that starts with a digit ("3D printing") is a label first.
  const whole = byLabel(text);
  const numbered = /^(?:#|no\.?|option|candidate)?\s*(\d+)\s*[.)：:、\-–—]\s*(.+)$/i.exec(text) ?? /^(.+?)\s*[([（#]\s*(\d+)\s*[)\]）]?$/.exec(text);
  if (numbered) {
    const [number, label] = /^\d+$/.test(numbered[1]!) ? [numbered[1]!, numbered[2]!] : [numbered[2]!, numbered[1]!];
    return whole ?? byLabel(label) ?? inRange(Number(number));
  }
  if (whole !== undefined) return whole;
  // "I pick 3 because …": a lone number in prose.
  const numbers = text.match(/\d+/g);
  return numbers?.length === 1 ? inRange(Number(numbers[0])) : undefined;
}
