/**
 * OpenAI's strict structured outputs (`json_schema` with `strict: true`) accept a subset of JSON
 * Schema; a schema outside it is a 400. `toStrictSchema` rewrites a zod-made schema into it:
 * - every object lists all its properties in `required`, and a property that was optional
 *   becomes nullable instead (the model then answers `null` for "absent");
 * - every object has `additionalProperties: false`;
 * - `oneOf` becomes `anyOf`; a union of constants becomes one `enum` (a ballot's
 *   `choices: (1|2|3)[]` stays an enum of those numbers);
 * - keywords strict mode rejects (`minLength`, `maxLength`, `uniqueItems`, `default`, …) are
 *   dropped: the caller's zod schema still validates them after the answer arrives.
 * It returns undefined for a schema strict mode cannot express (a root that is not an object, a
 * map-like object with no fixed properties, tuple `items`): send that one without `strict`.
 *
 * `nullsAsAbsent` undoes the nullable rewrite on an answer: a `null` where the *original*
 * schema had an optional property is removed before zod sees it.
 */

export type JsonSchema = Record<string, unknown>;

/** Validation keywords strict mode does not support; zod checks them on the answer instead. */
const unsupportedKeywords = [
  '$schema',
  'default',
  'minLength',
  'maxLength',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'patternProperties',
  'propertyNames',
  'contains',
  'not',
  'if',
  'then',
  'else',
  'dependencies',
] as const;

class Unrepresentable extends Error {}

export function toStrictSchema(schema: JsonSchema): JsonSchema | undefined {
  const copy = structuredClone(schema);
  if (copy.type !== 'object') return undefined;
  try {
    return strictNode(copy) as JsonSchema;
  } catch (error) {
    if (error instanceof Unrepresentable) return undefined;
    throw error;
  }
}

function strictNode(node: unknown): unknown {
  if (!isRecord(node)) return node;
  for (const keyword of unsupportedKeywords) delete node[keyword];
  if (Array.isArray(node.oneOf)) {
    node.anyOf = [...(Array.isArray(node.anyOf) ? node.anyOf : []), ...node.oneOf];
    delete node.oneOf;
  }
  if ('const' in node && !('enum' in node)) {
    node.enum = [node.const];
    delete node.const;
  }
  if (Array.isArray(node.anyOf)) {
    node.anyOf = node.anyOf.map(strictNode);
    collapseConstantUnion(node);
  }
  if (Array.isArray(node.items)) throw new Unrepresentable('tuple items');
  if (isRecord(node.items)) node.items = strictNode(node.items);
  for (const definitions of ['$defs', 'definitions'] as const) {
    const table = node[definitions];
    if (isRecord(table)) for (const name of Object.keys(table)) table[name] = strictNode(table[name]);
  }
  if (node.type === 'object' || isRecord(node.properties)) closeObject(node);
  return node;
}

function closeObject(node: JsonSchema): void {
  const properties = isRecord(node.properties) ? node.properties : undefined;
  if (!properties || Object.keys(properties).length === 0) {
    // A map (`z.record`) or a free-form object: strict mode would force it to stay empty.
    if (node.additionalProperties !== undefined && node.additionalProperties !== false) throw new Unrepresentable('open object');
  }
  const required = new Set(Array.isArray(node.required) ? node.required.filter((key): key is string => typeof key === 'string') : []);
  for (const key of Object.keys(properties ?? {})) {
    const property = strictNode(properties?.[key]);
    (properties as JsonSchema)[key] = required.has(key) ? property : nullable(property);
  }
  node.properties = properties ?? {};
  node.required = Object.keys(properties ?? {});
  node.additionalProperties = false;
}

/** `{anyOf: [{type: 'number', enum: [1]}, {type: 'number', enum: [2]}]}` → `{type: 'number', enum: [1, 2]}`. */
function collapseConstantUnion(node: JsonSchema): void {
  const branches = node.anyOf as unknown[];
  if (branches.length === 0) return;
  const types = new Set<unknown>();
  const values: unknown[] = [];
  for (const branch of branches) {
    if (!isRecord(branch) || !Array.isArray(branch.enum) || Object.keys(branch).some((key) => key !== 'type' && key !== 'enum' && key !== 'description')) return;
    types.add(branch.type);
    values.push(...branch.enum);
  }
  if (types.size !== 1) return;
  const [type] = types;
  delete node.anyOf;
  if (type !== undefined) node.type = type;
  node.enum = values;
}

function nullable(schema: unknown): unknown {
  if (!isRecord(schema)) return schema;
  if (typeof schema.$ref === 'string' || (schema.type === undefined && !Array.isArray(schema.anyOf))) return { anyOf: [schema, { type: 'null' }] };
  if (Array.isArray(schema.anyOf)) {
    if (!schema.anyOf.some((branch) => isRecord(branch) && branch.type === 'null')) schema.anyOf.push({ type: 'null' });
    return schema;
  }
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (!types.includes('null')) schema.type = [...types, 'null'];
  if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
  return schema;
}

/** `value` with every `null` removed where `schema` (the original, not the strict one) has an optional property. */
export function nullsAsAbsent(value: unknown, schema: JsonSchema): unknown {
  return withoutNulls(value, schema, schema, 0);
}

function withoutNulls(value: unknown, node: unknown, root: JsonSchema, depth: number): unknown {
  const resolved = resolveReference(node, root);
  if (!isRecord(resolved) || depth > 64) return value;
  if (Array.isArray(value)) return isRecord(resolved.items) ? value.map((item) => withoutNulls(item, resolved.items, root, depth + 1)) : value;
  if (!isRecord(value)) return value;
  if (isRecord(resolved.properties)) {
    const properties = resolved.properties;
    const required = Array.isArray(resolved.required) ? resolved.required : [];
    const result: JsonSchema = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === null && key in properties && !required.includes(key)) continue;
      result[key] = key in properties ? withoutNulls(item, properties[key], root, depth + 1) : item;
    }
    return result;
  }
  const branches = [...(Array.isArray(resolved.anyOf) ? resolved.anyOf : []), ...(Array.isArray(resolved.oneOf) ? resolved.oneOf : [])];
  const objectBranch = branches.map((branch) => resolveReference(branch, root)).find((branch) => isRecord(branch) && isRecord(branch.properties));
  return objectBranch ? withoutNulls(value, objectBranch, root, depth + 1) : value;
}

/** Follows a local `$ref` (`#/$defs/name`, `#/definitions/name`, `#`); anything else stays as it is. */
function resolveReference(node: unknown, root: JsonSchema): unknown {
  if (!isRecord(node) || typeof node.$ref !== 'string') return node;
  if (node.$ref === '#') return root;
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(node.$ref);
  const table = match ? root[match[1] as string] : undefined;
  return match && isRecord(table) ? table[decodeURIComponent(match[2] as string).replace(/~1/g, '/').replace(/~0/g, '~')] : node;
}

function isRecord(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
