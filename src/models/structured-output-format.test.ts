import { describe, expect, it } from 'vitest';
import { APIError } from 'openai';
import { FormatMemory, isFormatRefusal, isOpenAIEndpoint, wantedLevel } from './structured-output-format.ts';

const schemaMode = { MODEL_JSON_MODE: 'json_schema' } as const;

describe('wantedLevel', () => {
  it('asks for strict only where MODEL_JSON_STRICT says so: auto means OpenAI itself', () => {
    expect(wantedLevel({ ...schemaMode, MODEL_JSON_STRICT: 'auto' }, undefined)).toBe('strict_schema');
    expect(wantedLevel({ ...schemaMode, MODEL_JSON_STRICT: 'auto' }, 'https://api.openai.com/v1')).toBe('strict_schema');
    expect(wantedLevel({ ...schemaMode, MODEL_JSON_STRICT: 'auto' }, 'http://localhost:8080/v1')).toBe('schema');
    expect(wantedLevel({ ...schemaMode, MODEL_JSON_STRICT: 'true' }, 'http://localhost:8080/v1')).toBe('strict_schema');
    expect(wantedLevel({ ...schemaMode, MODEL_JSON_STRICT: 'false' }, undefined)).toBe('schema');
    expect(wantedLevel({ MODEL_JSON_MODE: 'json_object', MODEL_JSON_STRICT: 'true' }, undefined)).toBe('object');
    expect(wantedLevel({ MODEL_JSON_MODE: 'prompt', MODEL_JSON_STRICT: 'true' }, undefined)).toBe('none');
  });

  it('does not take a look-alike host for OpenAI', () => {
    expect(isOpenAIEndpoint('https://api.openai.com.evil.example/v1')).toBe(false);
    expect(isOpenAIEndpoint('not a url')).toBe(false);
  });
});

describe('FormatMemory', () => {
  it('steps an endpoint down one level per refusal and remembers it', () => {
    const memory = new FormatMemory();
    expect(memory.levelFor('k', 'strict_schema')).toBe('strict_schema');
    expect(memory.refused('k', 'strict_schema')).toBe('schema');
    expect(memory.levelFor('k', 'strict_schema')).toBe('schema');
    expect(memory.refused('k', 'schema')).toBe('none');
    expect(memory.levelFor('k', 'strict_schema')).toBe('none');
    expect(memory.levelFor('other', 'strict_schema')).toBe('strict_schema');
  });
});

describe('isFormatRefusal', () => {
  it('is a 400 about the output format, not any 400', () => {
    const error = (status: number, message: string) => APIError.generate(status, { error: { message } }, undefined, new Headers());
    expect(isFormatRefusal(error(400, "Invalid schema for response_format 'ballot': 'strict' is not permitted"))).toBe(true);
    expect(isFormatRefusal(error(400, 'response_format type json_schema is not supported'))).toBe(true);
    expect(isFormatRefusal(error(400, 'Invalid value for temperature'))).toBe(false);
    expect(isFormatRefusal(error(500, 'json_schema crashed'))).toBe(false);
  });
});
