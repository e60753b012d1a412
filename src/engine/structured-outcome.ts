/**
 * How each structured model answer (keywords, ballot, closing summary) ended, reported three ways:
 * - a log line with `structured: <name>` and `structuredOutcome: <outcome>`;
 * - the Prometheus counter `tableround_structured_outcomes_total{name, outcome}` (counted when the
 *   answer arrives, not again when a re-run reuses a saved answer);
 * - per session, note fields `structured:<name>:<outcome>` holding a count, committed with the step
 *   (`structuredOutcomeCounts` reads them back for a script or /status).
 *
 * Outcomes: `accepted` — valid as the model gave it; `repaired` — the repair (the gateway's
 * `coerce`) changed it into a valid answer; `retried` — the gateway needed its one corrective
 * retry (whether or not the second answer was repaired too: the retry is the costlier fact);
 * `skipped` — nothing usable even after the retry.
 *
 * Hazard: the counts are read-modify-write on the session's notes. That is safe only because a
 * session runs one step at a time and the step's notes are committed only while its `seq` holds
 * (pipeline/step-machine.ts); a re-run recomputes from the same committed notes.
 */
import { z } from 'zod';
import { TableRoundError } from '../errors.ts';
import { nullsAsAbsent, type JsonSchema } from '../models/strict-schema.ts';
import type { StepContext } from './step-context.ts';

export const structuredOutcomes = ['accepted', 'repaired', 'retried', 'skipped'] as const;
export type StructuredOutcome = (typeof structuredOutcomes)[number];

/** The note field counting one outcome of one structured answer kind in a session. */
export const outcomeField = (name: string, outcome: StructuredOutcome) => `structured:${name}:${outcome}`;

export interface TrackedRepair {
  /** For the gateway's `coerce` option: returns the repaired value (or the raw one, when valid and unchanged). */
  coerce(raw: unknown): unknown;
  /** The last answer given to `coerce` was invalid or different as given, and valid once repaired. */
  readonly repaired: boolean;
}

/**
 * Wraps a repair as the gateway's `coerce`, remembering whether the last answer needed it. Valid
 * as given and unchanged by the repair → not repaired. "As given" is as the gateway reads it: a
 * `null` for an optional property (strict mode's way of leaving it out) counts as absent. A repair
 * that would turn a valid answer into an invalid one is ignored (the raw answer is kept).
 */
export function trackRepairs(schema: z.ZodType, repair: (raw: unknown) => unknown): TrackedRepair {
  const jsonSchema = z.toJSONSchema(schema, { target: 'draft-7' }) as JsonSchema;
  let repaired = false;
  return {
    coerce(raw) {
      const fixed = repair(raw);
      const direct = schema.safeParse(nullsAsAbsent(raw, jsonSchema));
      const after = schema.safeParse(fixed);
      if (!after.success) {
        repaired = false;
        return direct.success ? raw : fixed;
      }
      repaired = !(direct.success && JSON.stringify(direct.data) === JSON.stringify(after.data));
      return fixed;
    },
    get repaired() {
      return repaired;
    },
  };
}

/**
 * The model gave nothing usable (invalid twice, or refused): the answer is skipped, not the step.
 * Any other failure (provider down, timeout, cancelled) is not about the answer and propagates.
 */
export function isUnusableAnswer(error: unknown): error is TableRoundError {
  return error instanceof TableRoundError && (error.code === 'model_bad_output' || error.code === 'model_refused');
}

/** The outcome of an answer the gateway returned (`outcome` is the gateway's own: accepted or retried). */
export function outcomeOf(result: { value: unknown; outcome?: 'accepted' | 'retried' }, repair: TrackedRepair): StructuredOutcome {
  if (result.outcome === 'retried') return 'retried';
  return repair.repaired ? 'repaired' : 'accepted';
}

/**
 * Logs the outcome, counts it in the metric (unless `reused`), and returns the note field to
 * commit with the step: the session's count so far (from `notes`, the committed notes) plus one.
 */
export function reportOutcome(
  context: Pick<StepContext, 'logger' | 'deps'>,
  notes: Record<string, string>,
  name: string,
  outcome: StructuredOutcome,
  details: { reused?: boolean; [field: string]: unknown } = {},
): Record<string, string> {
  const { reused = false, ...fields } = details;
  const line = { ...fields, structured: name, structuredOutcome: outcome, ...(reused ? { reused } : {}) };
  if (outcome === 'skipped') context.logger.warn(line, 'structured answer unusable; skipped');
  else context.logger.info(line, 'structured answer');
  if (!reused) context.deps.metrics?.structuredOutcomes.inc({ name, outcome });
  const field = outcomeField(name, outcome);
  return { [field]: String((Number.parseInt(notes[field] ?? '0', 10) || 0) + 1) };
}

/** The counts in a session's notes: `{ ballot: { accepted: 10, repaired: 7, retried: 1, skipped: 0 } }`. */
export function structuredOutcomeCounts(notes: Record<string, string>): Record<string, Record<StructuredOutcome, number>> {
  const counts: Record<string, Record<StructuredOutcome, number>> = {};
  for (const [field, value] of Object.entries(notes)) {
    const match = /^structured:(.+):(accepted|repaired|retried|skipped)$/.exec(field);
    if (!match) continue;
    const byOutcome = (counts[match[1]!] ??= { accepted: 0, repaired: 0, retried: 0, skipped: 0 });
    byOutcome[match[2] as StructuredOutcome] += Number.parseInt(value, 10) || 0;
  }
  return counts;
}
