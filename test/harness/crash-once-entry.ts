/**
 * An entry for the supervisor test: counts its runs in the file named by RUNS_FILE; exits with
 * EXIT_FIRST on the first run and 0 after, or waits for SIGTERM when WAIT is set.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

const file = process.env.RUNS_FILE ?? '';
const runs = existsSync(file) ? readFileSync(file, 'utf8').length : 0;
appendFileSync(file, 'x');
if (process.env.WAIT) {
  // The handler first: a SIGTERM sent as soon as "waiting" is read must find it in place.
  process.on('SIGTERM', () => process.exit(0));
  process.stdout.write('waiting\n');
  setInterval(() => undefined, 1_000);
} else {
  process.exit(runs === 0 ? Number(process.env.EXIT_FIRST ?? 75) : 0);
}
