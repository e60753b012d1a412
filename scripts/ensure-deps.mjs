// Installs the locked dependencies when node_modules is missing or older than the lock file,
// so that `npm start` and `npm test` work as the first command on a fresh clone.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const lock = 'package-lock.json';
const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000);
if (stale) {
  // `npm install` with the committed lock installs the locked versions. Not `npm ci`: it insists
  // that every optional platform package in the tree (e.g. msgpackr-extract's darwin/win32 builds)
  // be in the lock, and registry mirrors without those packages make that impossible.
  process.stderr.write('tableround: installing the locked dependencies (npm install)…\n');
  execSync('npm install --no-audit --no-fund', { stdio: 'inherit' });
}
