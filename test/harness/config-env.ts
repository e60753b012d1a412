/** A parsed config back to the environment variables it came from (for child processes). */
import type { Config } from '../../src/config/config-schema.ts';

export function configToEnv(config: Config): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(config)) {
    if (value === undefined) continue;
    env[name] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return env;
}
