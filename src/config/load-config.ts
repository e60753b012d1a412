import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { configRules, type Config } from './config-schema.ts';
import { TableRoundError } from '../errors.ts';

/**
 * Parses the configuration once. Values from the real environment win over `.env`.
 * Empty values count as unset. Throws a `TableRoundError('config_invalid')` whose message names
 * every offending variable.
 */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env, envFile = '.env'): Config {
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
  const merged: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...fromFile, ...environment })) {
    if (value !== undefined && value !== '') merged[name] = value;
  }
  const parsed = configRules.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(config)'}: ${issue.message}`);
    throw new TableRoundError('config_invalid', `Invalid configuration — ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Config for tests and tools: defaults plus the given overrides, without reading `.env`. */
export function configFrom(overrides: Record<string, string | number | boolean | undefined>): Config {
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(overrides)) if (value !== undefined) environment[name] = String(value);
  return loadConfig(environment, '/nonexistent/.env');
}
