import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { extractJson, validateJsonAnswer } from './json-output.ts';
import type { JsonSchema } from './strict-schema.ts';

describe('extractJson', () => {
  it('parses plain JSON', () => {
    expect(extractJson('{"keywords":["a","b"]}')).toEqual({ keywords: ['a', 'b'] });
  });
  it('finds JSON inside fences, prose and reasoning', () => {
    expect(extractJson('<think>{"no":1}</think>Sure! ```json\n{"keywords": ["纸", "red}"]}\n``` hope it helps')).toEqual({ keywords: ['纸', 'red}'] });
  });
  it('throws when there is none', () => {
    expect(() => extractJson('no json here')).toThrow(SyntaxError);
  });
});

describe('validateJsonAnswer', () => {
  const schema = z.object({ choices: z.array(z.number()), reason: z.string().optional() });
  const jsonSchema = z.toJSONSchema(schema, { target: 'draft-7' }) as JsonSchema;

  it('accepts a coerced near-miss, and a null for an optional property as absent', () => {
    const coerce = (raw: unknown) => (Array.isArray(raw) ? { choices: raw } : raw);
    expect(validateJsonAnswer('[1, 2]', schema, jsonSchema, coerce)).toEqual({ ok: true, value: { choices: [1, 2] } });
    expect(validateJsonAnswer('{"choices": [3], "reason": null}', schema, jsonSchema)).toEqual({ ok: true, value: { choices: [3] } });
  });

  it('lets the repair read an answer that holds no JSON at all', () => {
    const coerce = (raw: unknown) => (typeof raw === 'string' ? { choices: [...raw.matchAll(/\d+/g)].map((match) => Number(match[0])) } : raw);
    expect(validateJsonAnswer('<think>hmm</think>I pick 1 and 3', schema, jsonSchema, coerce)).toEqual({ ok: true, value: { choices: [1, 3] } });
    expect(validateJsonAnswer('no idea', z.object({ choices: z.array(z.number()).min(1) }), jsonSchema, coerce)).toEqual({ ok: false, problem: 'no JSON value found in the model output' });
  });

  it('says what was wrong, for the corrective ask', () => {
    expect(validateJsonAnswer('{"choices": "two"}', schema, jsonSchema)).toMatchObject({ ok: false, problem: expect.stringContaining('choices:') });
    expect(validateJsonAnswer('sorry, no', schema, jsonSchema)).toEqual({ ok: false, problem: 'no JSON value found in the model output' });
  });
});
