import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Imports what a running bot imports at start, then reports whether sharp's native add-on is loaded, before and after loadSharp(). */
const probe = `
import { createRequire } from 'node:module';
const Module = createRequire(import.meta.url)('node:module');
const sharpLoaded = () => Object.keys(Module._cache).some((path) => /[\\\\/]sharp[^\\\\/]*\\.node$/.test(path));
for (const entry of ['src/app/start-app.ts', 'commands/load-commands.ts', 'adapters/slack/index.ts', 'adapters/discord/index.ts', 'adapters/terminal/console-main.ts']) {
  await import(new URL(entry, ${JSON.stringify(new URL('../../', import.meta.url).href)}).href);
}
const atStart = sharpLoaded();
const { loadSharp } = await import(new URL('src/images/load-sharp.ts', ${JSON.stringify(new URL('../../', import.meta.url).href)}).href);
const sharp = await loadSharp();
process.stdout.write(JSON.stringify({ atStart, afterLoad: sharpLoaded(), sameFactory: sharp === (await loadSharp()) }));
`;

describe('sharp is loaded on first use', () => {
  it('is not loaded by the modules a bot imports at start, and is loaded once by loadSharp()', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { cwd: root, timeout: 60_000 });
    expect(JSON.parse(stdout)).toEqual({ atStart: false, afterLoad: true, sameFactory: true });
  }, 90_000);
});
