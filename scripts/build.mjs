// The production build, and `npm start`'s check that it is there and current.
//
// `node scripts/build.mjs`: compiles the bot (src/, adapters/, commands/) to dist/ with
// tsconfig.build.json (import extensions rewritten, source maps), copies the files the code reads
// next to itself (the chart font), and stamps the build. `--if-stale`: only when dist/ is missing
// or a source file is newer than the stamp — so `npm start` on a fresh clone builds once, and a
// later `git pull` rebuilds. `--bench`: the same for the benches (tsconfig.bench.json → dist-bench/),
// so `npm run bench` measures plain node on the compiled code, as production runs. Needs the dev
// dependency `typescript` (the Docker image builds in its build stage and ships dist/ without it).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const assets = ['src/images/fonts'];

function targetOf(bench) {
  const outDir = bench ? 'dist-bench' : 'dist';
  return {
    outDir,
    project: bench ? 'tsconfig.bench.json' : 'tsconfig.build.json',
    roots: bench ? ['src', 'adapters', 'commands', 'bench', 'test'] : ['src', 'adapters', 'commands'],
    stamp: `${outDir}/.build-stamp`,
  };
}

function newestSource(folder) {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function isStale({ roots, project, stamp }) {
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  const sources = Math.max(...roots.map(newestSource), ...['tsconfig.json', 'tsconfig.build.json', project, 'package-lock.json'].map((file) => statSync(file).mtimeMs));
  return sources > built;
}

function copyFolder(from, to) {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory()) copyFolder(join(from, entry.name), join(to, entry.name));
    else copyFileSync(join(from, entry.name), join(to, entry.name));
  }
}

/** Builds (the bot, or with `bench` the benches); false when the compiler failed (its output says why). */
export function build({ bench = false } = {}) {
  const { outDir, project, stamp } = targetOf(bench);
  const started = Date.now();
  process.stderr.write(`tableround: building ${outDir}/ …\n`);
  rmSync(stamp, { force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });
  } catch {
    process.stderr.write('tableround: the build failed (see above)\n');
    return false;
  }
  for (const folder of assets) copyFolder(folder, join(outDir, folder));
  mkdirSync(dirname(stamp), { recursive: true });
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  process.stderr.write(`tableround: built ${outDir}/ in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return true;
}

/** Builds only when the build is missing or older than a source (scripts/supervise.mjs --prepare uses it in process). */
export function buildIfStale({ bench = false } = {}) {
  return isStale(targetOf(bench)) ? build({ bench }) : true;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const options = { bench: process.argv.includes('--bench') };
  const ok = process.argv.includes('--if-stale') ? buildIfStale(options) : build(options);
  process.exit(ok ? 0 : 1);
}
