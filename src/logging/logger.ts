import { pino, type Logger } from 'pino';

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
];

/** Token-shaped substrings scrubbed from free-text messages (errors often quote URLs or headers). */
const secretPatterns: RegExp[] = [
  /\b(sk|xox[abposr]|xapp)-[A-Za-z0-9-_]{8,}/g,
  /\/webhooks\/(\d+)\/[A-Za-z0-9_-]{20,}/g,
  /\b[MNO][A-Za-z\d_-]{23,25}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,}\b/g,
  /(Bearer|Bot)\s+[A-Za-z0-9._-]{8,}/g,
  /(redis:\/\/[^:@/\s]*:)[^@\s]+@/g,
];

export function scrubSecrets(text: string): string {
  let result = text;
  for (const pattern of secretPatterns) {
    result = result.replace(pattern, (match, first: string) => {
      if (match.startsWith('/webhooks/')) return `/webhooks/${first}/[redacted]`;
      if (match.startsWith('redis://')) return `${first}[redacted]@`;
      if (/^(Bearer|Bot)\s/.test(match)) return `${first} [redacted]`;
      return '[redacted]';
    });
  }
  return result;
}

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { app: 'tableround' },
      redact: { paths: redactedPaths, censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((argument) => (typeof argument === 'string' ? scrubSecrets(argument) : argument));
          return method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
      serializers: {
        err: (error: unknown) => {
          const serialized = pino.stdSerializers.err(error as Error);
          return { ...serialized, message: scrubSecrets(serialized.message ?? ''), stack: scrubSecrets(serialized.stack ?? '') };
        },
      },
    },
    destination ?? pino.destination(2),
  );
}

export type { Logger };
