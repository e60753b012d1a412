/**
 * The outbound Web API client and the bot's own identity. @slack/web-api retries 10× over
 * ~30 min and has no timeout by default (platform-limits.md): both are set explicitly here.
 * `SLACK_API_URL` points it at Slack or at the emulator — the same code runs against both.
 */
import { WebClient, WebClientEvent, LogLevel, type Logger as SlackLogger } from '@slack/web-api';
import type { Metrics } from '../../src/observability/metrics.ts';
import type { Config } from '../../src/config/config-schema.ts';
import type { Logger } from '../../src/logging/logger.ts';
import { TableRoundError } from '../../src/errors.ts';

/** Per-request timeout (ms) and retry policy of every Web API call. */
export const webApiTimeoutMs = 15_000;
export const webApiRetryConfig = { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5_000, randomize: true };

/**
 * @slack/logger on top of pino, so SDK logs are JSON and scrubbed like ours — capped at info.
 *
 * Hazard: at debug the Web API client logs every request body ("http request body": the text of
 * each message we post), its headers and every full response ("http request result": messages,
 * people, files), and Bolt logs incoming payloads the same way. Scrubbing cannot tell a person's
 * words from anything else, so the SDKs' debug lines are dropped, whatever LOG_LEVEL says; our
 * own debug lines name the calls that matter.
 */
export function slackLoggerFrom(logger: Logger, name = 'slack-sdk'): SlackLogger {
  const child = logger.child({ component: name });
  let level = LogLevel.WARN;
  const text = (parts: unknown[]) => parts.map((part) => (typeof part === 'string' ? part : part instanceof Error ? part.message : JSON.stringify(part))).join(' ');
  return {
    debug: () => undefined,
    info: (...parts: unknown[]) => child.info(text(parts)),
    warn: (...parts: unknown[]) => child.warn(text(parts)),
    error: (...parts: unknown[]) => child.error(text(parts)),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

export function slackApiUrl(config: Pick<Config, 'SLACK_API_URL'>): string {
  return config.SLACK_API_URL.endsWith('/') ? config.SLACK_API_URL : `${config.SLACK_API_URL}/`;
}

export function webClientOptions(config: Pick<Config, 'SLACK_API_URL'>, logger: Logger) {
  return {
    slackApiUrl: slackApiUrl(config),
    retryConfig: webApiRetryConfig,
    timeout: webApiTimeoutMs,
    logger: slackLoggerFrom(logger),
  };
}

export function createWebClient(config: Pick<Config, 'SLACK_API_URL' | 'SLACK_BOT_TOKEN'>, logger: Logger, metrics?: Metrics): WebClient {
  if (!config.SLACK_BOT_TOKEN) throw new TableRoundError('config_invalid', 'SLACK_BOT_TOKEN is required for the Slack adapter');
  return webClientFor(config.SLACK_BOT_TOKEN, config, logger, metrics);
}

/** A client for one bot token (a workspace's installation, or SLACK_BOT_TOKEN). */
export function webClientFor(token: string, config: Pick<Config, 'SLACK_API_URL'>, logger: Logger, metrics?: Metrics): WebClient {
  const client = new WebClient(token, webClientOptions(config, logger));
  // The budgets should keep this at zero; every 429 Slack sends is counted and logged.
  client.on(WebClientEvent.RATE_LIMITED, (retryAfterSeconds: number, details: { url?: string }) => {
    metrics?.platform429s.inc({ platform: 'slack' });
    logger.warn({ retryAfterSeconds, method: details?.url }, 'slack answered 429; the Web API client waits and retries');
  });
  return client;
}

export interface BotIdentity {
  teamId: string;
  userId: string;
  botId: string;
}

/** auth.test once per process; concurrent callers share the pending call, a failure is retried next time. */
export function botIdentityLoader(client: WebClient): () => Promise<BotIdentity> {
  let pending: Promise<BotIdentity> | undefined;
  return () => {
    pending ??= client.auth
      .test()
      .then((result) => ({ teamId: result.team_id ?? 'workspace', userId: result.user_id ?? '', botId: result.bot_id ?? '' }))
      .catch((error: unknown) => {
        pending = undefined;
        throw new TableRoundError('platform_failed', 'Slack auth.test failed', { cause: error });
      });
    return pending;
  };
}
