import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { configRulesFor, type Config, type RunningAs } from './config-schema.ts';
import { TableRoundError } from '../errors.ts';

/**
 * Parses the configuration once. Values from the real environment win over `.env`.
 * Empty values count as unset. Throws a `TableRoundError('config_invalid')` whose message names
 * every offending variable.
 *
 * `runningAs` is what this process will run, when that is not the configured ROLE: the rules
 * across variables are checked for it (`npm run console` passes `terminal`; it runs as ROLE=all
 * whatever ROLE says, and a rule must not stop it for a role it does not run). It may be decided
 * from the values themselves (`npm start` runs the terminal when no platform token is set).
 */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env, envFile = '.env', runningAs?: RunningAs | ((values: Readonly<Record<string, string>>) => RunningAs | undefined)): Config {
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
  const merged: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...fromFile, ...environment })) {
    if (value !== undefined && value !== '') merged[name] = value;
  }
  const parsed = configRulesFor(typeof runningAs === 'function' ? runningAs(merged) : runningAs).safeParse(merged);
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
