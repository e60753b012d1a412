// `npm start`: runs the bot (the build in dist/, plain node) as a child process and brings it back
// when it crashes.
//
// - Signals (SIGINT, SIGTERM, SIGHUP) are passed to the bot; once it has exited after one, so
//   does this process, with the bot's exit code. (`npm start` runs this with `exec`, so npm's
//   own SIGTERM reaches it — a plain `sh -c` would swallow it and orphan the bot.)
// - The bot exits with 75 after an uncaught exception (it has shut down gracefully first), or
//   dies by a signal nobody here sent (SIGKILL, the OOM killer): it is started again, after
//   1 s, doubling up to 30 s while it keeps crashing within a minute of starting.
// - Any other exit (0: the terminal roundtable ended; 1: bad configuration) ends this process
//   too: a configuration error must not become a restart loop.
// - If this process's own parent goes away (npm killed), the bot is told to stop (SIGTERM), so
//   no bot is ever left running without its supervisor.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setInterval, setTimeout } from 'node:timers';

const restartableExit = 75;
const stableAfterMs = 60_000;
const argv = process.argv.slice(2);
// `--prepare`: first install the locked dependencies when missing or stale and build when the
// build is missing or older than the sources — in this process, not as npm `prestart` steps
// (each a node start of its own: ~0.25 s of `npm start` → ready on a 2-core machine).
const prepare = argv[0] === '--prepare';
const [entry, ...args] = prepare ? argv.slice(1) : argv;
if (!entry) {
  process.stderr.write('supervise: usage: node scripts/supervise.mjs [--prepare] <entry> [args…]\n');
  process.exit(2);
}
if (prepare) {
  (await import('./ensure-deps.mjs')).ensureDeps();
  if (!(await import('./build.mjs')).buildIfStale()) process.exit(1);
}

// The V8 flags the bot runs with (scripts/node-flags.json), less any NODE_OPTIONS sets itself.
const nodeOptions = process.env.NODE_OPTIONS ?? '';
const botFlags = JSON.parse(readFileSync(new URL('./node-flags.json', import.meta.url), 'utf8')).bot.filter((flag) => !nodeOptions.includes(flag.split('=')[0]));

let child;
let forwarded;
let delayMs = 1_000;
const parentAtStart = process.ppid;

function start() {
  const startedAt = Date.now();
  forwarded = undefined;
  // The production build is plain JavaScript; a TypeScript entry (tests, development) runs through tsx.
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : ['--enable-source-maps'];
  child = spawn(process.execPath, [...botFlags, ...loader, entry, ...args], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
  child.on('exit', (code, signal) => {
    if (forwarded) process.exit(code ?? 128);
    const crashed = code === restartableExit || (signal !== null && code === null);
    if (!crashed) process.exit(code ?? 1);
    delayMs = Date.now() - startedAt > stableAfterMs ? 1_000 : Math.min(delayMs * 2, 30_000);
    process.stderr.write(`tableround: the bot stopped (${signal ?? `exit ${code}`}); starting it again in ${Math.round(delayMs / 1000)} s\n`);
    setTimeout(start, delayMs);
  });
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    forwarded = signal;
    if (!child || child.exitCode !== null || child.signalCode !== null) process.exit(0);
    child.kill(signal);
  });
}

setInterval(() => {
  if (process.ppid !== parentAtStart && !forwarded) {
    forwarded = 'SIGTERM';
    child?.kill('SIGTERM');
  }
}, 1_000).unref();

start();
