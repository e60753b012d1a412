import { pino, type Logger } from 'pino';
import { redactedText, scrubSecrets, serializeError } from './serialize-error.ts';

export { scrubSecrets, scrubUrl } from './serialize-error.ts';

/**
 * Paths whose values never reach a log line: tokens, keys, secrets, webhook tokens, auth headers.
 * pino's redaction runs on every log call, including child loggers.
 */
export const redactedPaths = [
  '*.token',
  '*.apiKey',
  '*.api_key',
  '*.secret',
  '*.signingSecret',
  '*.password',
  '*.authorization',
  '*.Authorization',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.webhookToken',
  'config.OPENAI_API_KEY',
  'config.CHAT_API_KEY',
  'config.VISION_API_KEY',
  'config.SUMMARY_API_KEY',
  'config.IMAGE_API_KEY',
  'config.DISCORD_TOKEN',
  'config.SLACK_BOT_TOKEN',
  'config.SLACK_SIGNING_SECRET',
  'config.SLACK_APP_TOKEN',
  'config.REDIS_URL',
  'config.REDIS_CLUSTER_NODES',
  'config.REDIS_PASSWORD',
  'config.REDIS_SENTINEL_PASSWORD',
  'config.SLACK_CLIENT_SECRET',
  'config.SLACK_STATE_SECRET',
  'config.SLACK_INSTALLATION_KEY',
];

/**
 * A pino logger whose lines carry what operators need and nothing attackers want:
 * - `err` and `error` go through the allow-list {@link serializeError} (type, code, status,
 *   method, scrubbed url, message, stack, cause chain) — never bodies, headers or Redis arguments;
 *   so does an Error passed first (`logger.error(error)`) and an Error under any other top-level key;
 * - `redactedPaths` are censored;
 * - every finished line is scrubbed by {@link scrubSecrets} (tokens, URL credentials, secret
 *   query values), which also covers `msg` taken from an error's message, child bindings and
 *   URL fields such as `url`, `baseURL` or `redisUrl`.
 *
 * Hazard: an Error nested deeper than the top level of the merge object (`{ details: { error } }`)
 * is stringified by pino with its enumerable fields; only the line scrub applies to it. Log errors
 * under `err`.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { app: 'tableround' },
      redact: { paths: redactedPaths, censor: redactedText },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((argument) => (typeof argument === 'string' ? scrubSecrets(argument) : argument));
          return method.apply(this, scrubbed as Parameters<typeof method>);
        },
        // The last line of defence, on the finished JSON line: no pattern consumes a quote or backslash.
        streamWrite: (line) => scrubSecrets(line),
      },
      formatters: { log: serializeTopLevelErrors },
      serializers: { err: serializeError, error: serializeError },
    },
    destination ?? pino.destination(2),
  );
}

/** Keys pino already hands to `serializers` (`err` is also pino's key for an Error passed first). */
const serializedKeys = new Set(['err', 'error']);

/** An Error under any other top-level key would otherwise be stringified with all its fields. */
function serializeTopLevelErrors(object: Record<string, unknown>): Record<string, unknown> {
  let result = object;
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (serializedKeys.has(key) || !(value instanceof Error)) continue;
    if (result === object) result = { ...object };
    result[key] = serializeError(value);
  }
  return result;
}

export type { Logger };
