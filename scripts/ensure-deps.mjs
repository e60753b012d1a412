// Installs the locked dependencies when node_modules is missing or older than the lock file,
// so that `npm start` and `npm test` work as the first command on a fresh clone.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const lock = 'package-lock.json';
const marker = 'node_modules/.package-lock.json';

export function ensureDeps() {
  const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000);
  if (!stale) return;
  // `npm ci`: exactly the committed lock, which is whole (every platform's optional packages, e.g.
  // msgpackr-extract's darwin/win32 builds, are in it) — so installing never rewrites a tracked
  // file. (`npm install` would add entries a registry serves that the lock lacks.)
  process.stderr.write('tableround: installing the locked dependencies (npm ci)…\n');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) ensureDeps();
