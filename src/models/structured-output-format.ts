/**
 * How json() asks for structured output, and what an endpoint has shown it will not take.
 *
 * Levels, richest first: `strict_schema` (json_schema with `strict: true`, OpenAI's constrained
 * decoding), `schema` (json_schema, a hint), `object` (json_object), `none` (the prompt's own
 * instruction only — always sent, whatever the level).
 * - MODEL_JSON_MODE picks the level wanted: json_schema → schema, json_object → object, prompt → none.
 * - MODEL_JSON_STRICT lifts `schema` to `strict_schema`: 'true' always, 'false' never, 'auto' for
 *   OpenAI's own endpoint (base URL unset, or host api.openai.com): most compatible servers
 *   either ignore `strict` or answer 400 about it.
 * - In 'auto' only, a 400 about the format (response_format, json_schema, strict, schema) steps
 *   the endpoint+model down one level — strict_schema → schema → none, object → none — and the
 *   call is made again at once. The step is remembered for the life of the process, so each
 *   refusal costs one call per endpoint and model, not one per request.
 */
import { APIError } from 'openai';
import type { Config } from '../config/config-schema.ts';
import { isContextExceeded } from './error-class.ts';
import type { JsonSchema } from './strict-schema.ts';

export type FormatLevel = 'strict_schema' | 'schema' | 'object' | 'none';

const rank: Record<FormatLevel, number> = { none: 0, object: 1, schema: 2, strict_schema: 3 };
const stepDown: Record<FormatLevel, FormatLevel> = { strict_schema: 'schema', schema: 'none', object: 'none', none: 'none' };

/** OpenAI's own endpoint: no base URL (the SDK default), or one on api.openai.com. */
export function isOpenAIEndpoint(baseURL: string | undefined): boolean {
  if (!baseURL) return true;
  try {
    return new URL(baseURL).hostname === 'api.openai.com';
  } catch {
    return false;
  }
}

export function wantedLevel(config: Pick<Config, 'MODEL_JSON_MODE' | 'MODEL_JSON_STRICT'>, baseURL: string | undefined): FormatLevel {
  if (config.MODEL_JSON_MODE === 'prompt') return 'none';
  if (config.MODEL_JSON_MODE === 'json_object') return 'object';
  const strict = config.MODEL_JSON_STRICT === 'true' || (config.MODEL_JSON_STRICT === 'auto' && isOpenAIEndpoint(baseURL));
  return strict ? 'strict_schema' : 'schema';
}

/** A 400 (or 422) about the requested output format, not about the prompt. */
export function isFormatRefusal(error: unknown): boolean {
  if (!(error instanceof APIError) || (error.status !== 400 && error.status !== 422) || isContextExceeded(error)) return false;
  const said = `${String(error.param ?? '')} ${error.message}`;
  return /response_format|json_schema|json schema|schema|strict|structured output|json_object/i.test(said);
}

/** The `response_format` field for a level (nothing for `none`). */
export function responseFormatFor(level: FormatLevel, name: string, schema: JsonSchema) {
  switch (level) {
    case 'strict_schema':
      return { response_format: { type: 'json_schema' as const, json_schema: { name, schema, strict: true } } };
    case 'schema':
      return { response_format: { type: 'json_schema' as const, json_schema: { name, schema, strict: false } } };
    case 'object':
      return { response_format: { type: 'json_object' as const } };
    case 'none':
      return {};
  }
}

/** Per endpoint and model: the richest level not yet refused. */
export class FormatMemory {
  private readonly ceilings = new Map<string, FormatLevel>();

  levelFor(key: string, wanted: FormatLevel): FormatLevel {
    const ceiling = this.ceilings.get(key);
    return ceiling !== undefined && rank[ceiling] < rank[wanted] ? ceiling : wanted;
  }

  /** Remembers that `key` refused `level`; returns the level to try next. */
  refused(key: string, level: FormatLevel): FormatLevel {
    const next = stepDown[level];
    this.ceilings.set(key, next);
    return next;
  }
}
