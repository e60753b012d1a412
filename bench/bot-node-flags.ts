/**
 * The V8 flags the bot runs with (scripts/node-flags.json: what `npm start` and the Docker image
 * pass), less any NODE_OPTIONS sets itself — so that the benches measure the process production
 * runs. `npm run bench` re-runs itself with them when started without; its child processes (the
 * RSS child, the scale-out workers) get them from here.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function botNodeFlags(env: NodeJS.ProcessEnv = process.env, root = process.cwd()): string[] {
  const flags = (JSON.parse(readFileSync(join(root, 'scripts', 'node-flags.json'), 'utf8')) as { bot: string[] }).bot;
  const own = env.NODE_OPTIONS ?? '';
  return flags.filter((flag) => !own.includes(flag.split('=')[0]!));
}

/**
 * When this process lacks the bot's flags, runs this same script again with them and resolves
 * with its exit code (the caller exits with it); undefined when the flags are already in place.
 */
export function rerunWithBotFlags(): Promise<number> | undefined {
  const missing = botNodeFlags().filter((flag) => !process.execArgv.includes(flag));
  if (missing.length === 0 || !process.argv[1]) return undefined;
  const child = spawn(process.execPath, [...missing, ...process.execArgv, process.argv[1], ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}
