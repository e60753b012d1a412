/**
 * `npm run console -- --topic "<text>" [--panel <name>] [--rounds <n>] [--image <path>]… [--lang <code>]`
 * One roundtable in this terminal, on real Redis (embedded when REDIS_URL is unset) and BullMQ.
 */
import { loadCommands } from '../../commands/load-commands.ts';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { startApp } from '../../src/app/start-app.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import type { Config } from '../../src/config/config-schema.ts';
import { describeForPerson } from '../../src/engine/describe-error.ts';
import { TableRoundError } from '../../src/errors.ts';
import { createLogger, scrubSecrets } from '../../src/logging/logger.ts';
import { assertModelsConfigured } from '../../src/models/model-roles.ts';
import { parseConsoleArgs, type ConsoleArgs } from './parse-console-args.ts';
import { runConsoleSession } from './console-session.ts';
import { TerminalAdapter } from './terminal-adapter.ts';

export async function runConsole(config: Config, args: ConsoleArgs): Promise<number> {
  assertModelsConfigured(config);
  // The terminal is the thread: the person sees posts and short notices only. Logs (JSON, with
  // stack traces when something fails) go to a file under the data folder, named once.
  const logPath = resolve(join(config.DATA_DIR, 'logs', 'terminal.log'));
  mkdirSync(dirname(logPath), { recursive: true });
  const logger = createLogger(config.LOG_LEVEL, createWriteStream(logPath, { flags: 'a' }));
  process.stderr.write(`tableround: logs are written to ${logPath}\n`);
  const interactive = Boolean(process.stdin.isTTY);
  const terminal = new TerminalAdapter(process.stdout, join(config.DATA_DIR, 'files'), resolve(config.TRANSCRIPT_DIR ?? join(config.DATA_DIR, 'transcripts')), Boolean(process.stdout.isTTY), process.stdout.isTTY ? process.stdout : process.stderr);
  // One local person at their own terminal: no per-person rate limit.
  const commands = await loadCommands();
  const app = await startApp({ config: { ...config, ROLE: 'all', USER_COMMANDS_PER_MINUTE: 0 }, logger, adapters: [terminal], commands });
  if (!config.REDIS_URL && !config.REDIS_CLUSTER_NODES && !config.REDIS_SENTINELS) process.stderr.write(`tableround: REDIS_URL is unset — using a local redis-server at ${app.redisUrl} (data in ${join(config.DATA_DIR, 'redis')})\n`);
  const shutdown = async () => {
    await app.stop();
    process.exit(130);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
  try {
    const { transcriptPath } = await runConsoleSession(app, terminal, args, { input: process.stdin, interactive });
    process.stdout.write(`transcript: ${transcriptPath ?? '(not written)'}\n`);
    return transcriptPath ? 0 : 1;
  } finally {
    await app.stop();
  }
}

/**
 * One plain sentence for a failure before or outside a session: what a person can act on (the
 * variable to set, the flag to fix), never a stack trace — and scrubbed like a log line, since
 * a message may quote a URL with its password or a key (stderr is often captured to a file).
 */
export function describeStartupFailure(error: unknown): string {
  return scrubSecrets(startupFailureText(error));
}

function startupFailureText(error: unknown): string {
  if (error instanceof TableRoundError) {
    // For the operator at the console: what to fix. Other codes get their sentence for people.
    return ['config_invalid', 'redis_unavailable', 'model_not_configured', 'panel_invalid', 'panel_unknown'].includes(error.code) ? error.message : describeForPerson(error);
  }
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'failed';
}

async function main(): Promise<void> {
  let args: ConsoleArgs;
  let config: Config;
  try {
    args = parseConsoleArgs(process.argv.slice(2));
    // Checked as the terminal runs (ROLE=all, no avatars served), not as ROLE says.
    config = loadConfig(process.env, '.env', 'terminal');
    process.exitCode = await runConsole(config, args);
  } catch (error) {
    process.stderr.write(`tableround: ${describeStartupFailure(error)}\n`);
    // Exit now: a Redis client still trying to reconnect must not keep the process alive.
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}` || /console-main\.[jt]s$/.test(process.argv[1] ?? '')) void main();
