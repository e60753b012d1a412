/**
 * `npm start`: the bot. Platforms are chosen by the tokens present — Discord with DISCORD_TOKEN,
 * Slack with SLACK_BOT_TOKEN, or in many workspaces with SLACK_CLIENT_ID and the other OAuth
 * settings (both platforms at once is fine); with neither, the terminal adapter runs one
 * roundtable here (topic from --topic or the first line typed). ROLE=worker processes start no
 * platform connection but post through the platforms' REST APIs.
 */
import { loadCommands } from '../commands/load-commands.ts';
import { startApp, type PlatformFactory } from '../src/app/start-app.ts';
import { installProcessGuards, restartableExitCode } from '../src/app/process-guards.ts';
import { tuneHeap } from '../src/app/heap-tuning.ts';
import { slackMultiWorkspace, type Config } from '../src/config/config-schema.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { createLogger } from '../src/logging/logger.ts';
import { assertModelsConfigured } from '../src/models/model-roles.ts';
import type { Platform } from '../src/session/session-id.ts';
import { describeStartupFailure, runConsole } from './terminal/console-main.ts';
import { parseConsoleArgs } from './terminal/parse-console-args.ts';

async function platformFactories(config: Config): Promise<Partial<Record<Platform, PlatformFactory>>> {
  const factories: Partial<Record<Platform, PlatformFactory>> = {};
  if (config.DISCORD_TOKEN) factories.discord = (await import('./discord/index.ts')).createDiscordAdapter;
  if (config.SLACK_BOT_TOKEN || slackMultiWorkspace(config)) factories.slack = (await import('./slack/index.ts')).createSlackAdapter;
  return factories;
}

/** Time allowed beyond SHUTDOWN_GRACE_MS for the adapters and Redis to close. */
const shutdownSlackMs = 8_000;

async function main(): Promise<void> {
  // The supervisor's IPC channel must not keep a finished terminal roundtable alive.
  process.channel?.unref();
  // With no platform token this process runs the terminal: its rules, not those of ROLE.
  const config = loadConfig(process.env, '.env', (values) => (values.DISCORD_TOKEN || values.SLACK_BOT_TOKEN || values.SLACK_CLIENT_ID ? undefined : 'terminal'));
  tuneHeap(config.HEAP_GROWING_PERCENT);
  const factories = await platformFactories(config);
  if (Object.keys(factories).length === 0) {
    process.stderr.write('tableround: no DISCORD_TOKEN, SLACK_BOT_TOKEN or SLACK_CLIENT_ID set — running one roundtable in this terminal.\n');
    process.exitCode = await runConsole(config, parseConsoleArgs(process.argv.slice(2)));
    return;
  }
  if (config.ROLE !== 'gateway') assertModelsConfigured(config);
  const logger = createLogger(config.LOG_LEVEL);
  // Guards and signals first: a crash while connecting (a gateway payload during login, say) or
  // a signal during start-up is handled like one later; `started.app` is there once started.
  const started: { app?: Awaited<ReturnType<typeof startApp>> } = {};
  let stopping = false;
  let stopExitCode = 0;
  const shutdown = (reason: string, exitCode: number) => {
    if (stopping) {
      // A second signal while stopping: the person means it.
      if (reason.startsWith('SIG')) process.exit(130);
      return;
    }
    stopping = true;
    stopExitCode = exitCode;
    logger.info({ reason }, 'stopping');
    // Whatever the platforms answer (429s, hung connections), the process is gone by then.
    setTimeout(() => {
      logger.error({ graceMs: config.SHUTDOWN_GRACE_MS }, 'shutdown did not finish in time; exiting anyway');
      process.exit(exitCode || 1);
    }, config.SHUTDOWN_GRACE_MS + shutdownSlackMs);
    // Still starting: stopped as soon as it has started (below), or by the timer above.
    if (!started.app) return;
    started.app.stop().then(
      () => process.exit(exitCode),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  installProcessGuards(logger, () => shutdown('uncaught exception', restartableExitCode));
  // SIGHUP too: the supervisor passes it on, and a closed terminal sends it.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => shutdown(signal, 0));
  // Run by the supervisor (scripts/supervise.mjs): if it dies, stop rather than linger orphaned.
  if (process.send) process.once('disconnect', () => shutdown('supervisor gone', 0));
  const app = await startApp({ config, logger, platformFactories: factories, commands: await loadCommands() });
  started.app = app;
  logger.info({ role: config.ROLE, platforms: Object.keys(factories) }, 'TableRound is running');
  if (stopping) await app.stop().finally(() => process.exit(stopExitCode));
}

main().catch((error: unknown) => {
  process.stderr.write(`tableround: ${describeStartupFailure(error)}\n`);
  process.exit(1);
});
