/**
 * `npm run check:model -- --base-url <url> --model <name> [--api-key <key>] [--context <tokens>]
 * [--topic "<text>"] [--timeout <seconds>]`
 *
 * Runs one short scripted roundtable (adapters/terminal/model-check.ts) against an
 * OpenAI-compatible endpoint and prints, stage by stage, what worked. Redis: REDIS_URL, or a
 * local redis-server child as `npm start` does; its data, the log and the thread as posted go
 * to a fresh folder under the system's temp directory (named at the end). The key may
 * also come from OPENAI_API_KEY; every other setting from the environment / .env as usual.
 * Exit code 0 when every stage worked.
 */
import { createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCommands } from '../commands/load-commands.ts';
import { TerminalAdapter } from '../adapters/terminal/terminal-adapter.ts';
import { runModelCheck } from '../adapters/terminal/model-check.ts';
import { startApp } from '../src/app/start-app.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { createLogger } from '../src/logging/logger.ts';

const usage = 'usage: npm run check:model -- --base-url <url> --model <name> [--api-key <key>] [--context <tokens>] [--topic "<text>"] [--timeout <seconds>]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'base-url': { type: 'string' },
      model: { type: 'string' },
      'api-key': { type: 'string' },
      context: { type: 'string' },
      topic: { type: 'string', default: 'A reading lamp for a small bedroom' },
      timeout: { type: 'string', default: '600' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.model) {
    process.stderr.write(`${usage}\n`);
    return values.help ? 0 : 2;
  }
  const directory = mkdtempSync(join(tmpdir(), 'tableround-check-'));
  const config = loadConfig({
    ...process.env,
    ...(values['base-url'] ? { OPENAI_BASE_URL: values['base-url'] } : {}),
    ...(values['api-key'] ? { OPENAI_API_KEY: values['api-key'] } : {}),
    ...(values.context ? { MODEL_CONTEXT_TOKENS: values.context } : {}),
    CHAT_MODEL: values.model,
    AUTO_ROUNDS: '1',
    DATA_DIR: directory,
    REDIS_KEY_PREFIX: `check${process.pid}`,
    ROLE: 'all',
    USER_COMMANDS_PER_MINUTE: '0',
  });
  const logPath = join(directory, 'check.log');
  const logger = createLogger('info', createWriteStream(logPath, { flags: 'a' }));
  let printed = '';
  const terminal = new TerminalAdapter({ write: (text: string) => (printed += text) }, join(directory, 'files'), join(directory, 'transcripts'), false);
  const app = await startApp({ config, logger, adapters: [terminal], commands: await loadCommands() });
  try {
    const { ok } = await runModelCheck(app, {
      topic: values.topic,
      personMessage: 'What would make it easy to use with one hand, half asleep?',
      stageTimeoutMs: Number(values.timeout) * 1000,
      write: (line) => process.stdout.write(`${line}\n`),
      printed: () => printed,
    });
    return ok ? 0 : 1;
  } finally {
    writeFileSync(join(directory, 'thread.txt'), printed);
    process.stdout.write(`The session as posted: ${join(directory, 'thread.txt')}; logs: ${logPath}\n`);
    await app.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`check:model: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}\n`);
    process.exit(1);
  },
);
