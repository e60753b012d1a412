import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { nullsAsAbsent, toStrictSchema, type JsonSchema } from './strict-schema.ts';

const jsonSchemaOf = (schema: z.ZodType): JsonSchema => z.toJSONSchema(schema, { target: 'draft-7' }) as JsonSchema;

/** Every object in `schema` lists all its properties as required and forbids extras (OpenAI's strict subset). */
function everyObjectIsClosed(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.every(everyObjectIsClosed);
  if (typeof schema !== 'object' || schema === null) return true;
  const node = schema as JsonSchema;
  if (node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object'))) {
    const keys = Object.keys((node.properties as object | undefined) ?? {});
    if (node.additionalProperties !== false || JSON.stringify([...(node.required as string[])].sort()) !== JSON.stringify(keys.sort())) return false;
  }
  return Object.values(node).every(everyObjectIsClosed);
}

describe('toStrictSchema', () => {
  it('requires every property, makes the optional ones nullable and closes every object', () => {
    const schema = jsonSchemaOf(
      z.object({
        decisions: z.array(z.string()).max(10),
        card: z.object({ title: z.string(), note: z.string().optional() }).optional(),
        takeaways: z.array(z.object({ name: z.string(), takeaway: z.string().max(200) })),
      }),
    );
    const strict = toStrictSchema(schema);
    expect(strict).toBeDefined();
    expect(everyObjectIsClosed(strict)).toBe(true);
    const properties = strict?.properties as Record<string, JsonSchema>;
    expect(properties.card?.type).toEqual(['object', 'null']);
    expect((properties.card?.properties as Record<string, JsonSchema>).note?.type).toEqual(['string', 'null']);
    expect(properties.decisions?.type).toBe('array');
    // Unsupported length limits go; zod still checks them on the answer.
    expect(JSON.stringify(strict)).not.toMatch(/maxLength|\$schema/);
    expect(properties.decisions?.maxItems).toBe(10);
  });

  it('keeps enums: a ballot of literal choices becomes one enum, an optional enum gains null', () => {
    const ballot = z.object({ choices: z.array(z.union([z.literal(1), z.literal(2), z.literal(3)])).min(1).max(2), mood: z.enum(['calm', 'keen']).optional() });
    const strict = toStrictSchema(jsonSchemaOf(ballot));
    const properties = strict?.properties as Record<string, JsonSchema>;
    expect(properties.choices?.items).toEqual({ type: 'number', enum: [1, 2, 3] });
    expect(properties.mood).toEqual({ type: ['string', 'null'], enum: ['calm', 'keen', null] });
  });

  it('wraps an optional reference or union in anyOf with null', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: { ref: { $ref: '#/$defs/item' }, either: { anyOf: [{ type: 'string' }, { type: 'number' }] } },
      $defs: { item: { type: 'object', properties: { id: { type: 'string' } } } },
    };
    const strict = toStrictSchema(schema);
    const properties = strict?.properties as Record<string, JsonSchema>;
    expect(properties.ref).toEqual({ anyOf: [{ $ref: '#/$defs/item' }, { type: 'null' }] });
    expect(properties.either?.anyOf).toEqual([{ type: 'string' }, { type: 'number' }, { type: 'null' }]);
    expect(everyObjectIsClosed(strict)).toBe(true);
  });

  it('leaves the input untouched and gives up on what strict mode cannot express', () => {
    const schema = jsonSchemaOf(z.object({ a: z.string().optional() }));
    const before = JSON.stringify(schema);
    toStrictSchema(schema);
    expect(JSON.stringify(schema)).toBe(before);
    expect(toStrictSchema(jsonSchemaOf(z.array(z.string())))).toBeUndefined();
    expect(toStrictSchema(jsonSchemaOf(z.object({ scores: z.record(z.string(), z.number()) })))).toBeUndefined();
  });
});

describe('nullsAsAbsent', () => {
  const schema = z.object({
    choices: z.array(z.number()),
    reason: z.string().optional(),
    card: z.object({ title: z.string(), note: z.string().optional() }).optional(),
    items: z.array(z.object({ name: z.string(), tag: z.string().optional() })),
    kept: z.string().nullable(),
  });
  const jsonSchema = jsonSchemaOf(schema);

  it('removes a null where the original schema had an optional property, so zod accepts it', () => {
    const answer = { choices: [1], reason: null, card: { title: 't', note: null }, items: [{ name: 'n', tag: null }], kept: null };
    const cleaned = nullsAsAbsent(answer, jsonSchema);
    expect(cleaned).toEqual({ choices: [1], card: { title: 't' }, items: [{ name: 'n' }], kept: null });
    expect(schema.safeParse(cleaned).success).toBe(true);
    expect(schema.safeParse(answer).success).toBe(false);
  });

  it('keeps a null where it is required (that is for zod to judge)', () => {
    expect(nullsAsAbsent({ choices: null, kept: null }, jsonSchema)).toEqual({ choices: null, kept: null });
  });
});
