/**
 * The production build and the container spec:
 * - `scripts/build.mjs` compiles the bot to dist/; plain `node dist/adapters/main.js` (no tsx)
 *   starts a worker against real Redis and answers /healthz; the build's command loader finds
 *   the same commands as the sources';
 * - `npm start` runs the build (never tsx), and tsx is a development dependency only;
 * - the Dockerfile is multi-stage, runs as a non-root user with a HEALTHCHECK; every compose
 *   service has a health check, and /metrics is published on the host's loopback only.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl, uniqueName, deleteKeys, testRedis } from '../harness/redis.ts';
import { loadCommands } from '../../commands/load-commands.ts';
import { freePort } from '../harness/free-port.ts';

const redis = testRedis();
const prefix = uniqueName('build');
afterAll(async () => {
  await deleteKeys(redis, `${prefix}:`);
  redis.disconnect();
});

beforeAll(() => {
  // What `npm start` (and `npm test`) do first: build when dist/ is missing or older than the sources.
  execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { stdio: 'inherit' });
}, 120_000);

describe('the production build', () => {
  it('runs on plain node: a worker from dist/ answers /healthz', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--enable-source-maps', 'dist/adapters/main.js'], {
      env: {
        PATH: process.env.PATH ?? '',
        ROLE: 'worker',
        REDIS_URL: testRedisUrl(),
        REDIS_KEY_PREFIX: prefix,
        OPENAI_API_KEY: 'k',
        SLACK_BOT_TOKEN: 'xoxb-1-build-test',
        SLACK_SIGNING_SECRET: 'secret',
        HTTP_PORT: String(port),
        LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const deadline = Date.now() + 20_000;
      let health: { ok?: boolean } | undefined;
      while (!health && Date.now() < deadline && child.exitCode === null) {
        health = await fetch(`http://127.0.0.1:${port}/healthz`)
          .then((response) => (response.ok ? (response.json() as Promise<{ ok?: boolean }>) : undefined))
          .catch(() => undefined);
        if (!health) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(health, output).toMatchObject({ ok: true });
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }, 40_000);

  it('loads the same commands from the build as from the sources', async () => {
    const built = (await import(pathToFileURL('dist/commands/load-commands.js').href)) as { loadCommands: typeof loadCommands };
    const names = (commands: { name: string }[]) => commands.map((command) => command.name).sort();
    expect(names(await built.loadCommands())).toEqual(names(await loadCommands()));
    expect((await loadCommands()).length).toBeGreaterThan(10);
  });

  it('is what npm start runs, and tsx is for development only', () => {
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> };
    // The supervisor installs the locked dependencies and builds when stale, in its own process (no prestart).
    expect(manifest.scripts.start).toBe('exec node scripts/supervise.mjs --prepare dist/adapters/main.js');
    expect(manifest.scripts.prestart).toBeUndefined();
    const supervisor = readFileSync('scripts/supervise.mjs', 'utf8');
    expect(supervisor).toContain("(await import('./ensure-deps.mjs')).ensureDeps()");
    expect(supervisor).toContain("(await import('./build.mjs')).buildIfStale()");
    expect(manifest.dependencies).not.toHaveProperty('tsx');
    expect(manifest.devDependencies).toHaveProperty('tsx');
    expect(readFileSync('scripts/ensure-deps.mjs', 'utf8')).toContain("'npm ci");
  });
});

describe('npm start', () => {
  it('prepares (dependencies, build when stale) in the supervisor, then runs the entry', () => {
    const entry = join(mkdtempSync(join(tmpdir(), 'tr-prepare-')), 'entry.mjs');
    writeFileSync(entry, "process.stdout.write('entry ran');\n");
    const output = execFileSync(process.execPath, ['scripts/supervise.mjs', '--prepare', entry], { encoding: 'utf8' });
    expect(output).toBe('entry ran');
  });

  it("runs the bot with scripts/node-flags.json's V8 flags, unless NODE_OPTIONS sets the same flag", () => {
    const flags = (JSON.parse(readFileSync('scripts/node-flags.json', 'utf8')) as { bot: string[] }).bot;
    expect(flags).toContain('--max-semi-space-size=8');
    const entry = join(mkdtempSync(join(tmpdir(), 'tr-flags-')), 'entry.mjs');
    writeFileSync(entry, 'process.stdout.write(JSON.stringify(process.execArgv));\n');
    const execArgv = (env: NodeJS.ProcessEnv) => JSON.parse(execFileSync(process.execPath, ['scripts/supervise.mjs', entry], { encoding: 'utf8', env })) as string[];
    const { NODE_OPTIONS: _inherited, ...env } = process.env;
    expect(execArgv(env)).toEqual(expect.arrayContaining(flags));
    expect(execArgv({ ...env, NODE_OPTIONS: '--max-semi-space-size=4' })).not.toContain('--max-semi-space-size=8');
  });
});

describe('the container spec', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8');
  const compose = readFileSync('docker-compose.yml', 'utf8');

  it('builds in one stage and runs the build as a non-root user in a slim one, with a health check', () => {
    const stages = dockerfile.match(/^FROM .+$/gm) ?? [];
    expect(stages).toEqual(['FROM node:20-bookworm-slim AS build', 'FROM node:20-bookworm-slim AS runtime']);
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));
    expect(dockerfile).toMatch(/RUN npm ci /);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*\n\s+CMD \["node", "-e", .*\/healthz/m);
    const flags = (JSON.parse(readFileSync('scripts/node-flags.json', 'utf8')) as { bot: string[] }).bot;
    expect(runtime).toContain(`\nCMD ${JSON.stringify(['node', '--enable-source-maps', ...flags, 'dist/adapters/main.js']).replaceAll(',', ', ')}\n`);
    expect(runtime).not.toMatch(/tsx/);
    expect(runtime).toMatch(/COPY --from=build .*\/app\/dist/);
  });

  it('gives every compose service a health check and publishes /metrics on loopback only', () => {
    const services = compose.slice(compose.indexOf('services:'), compose.indexOf('\nvolumes:'));
    const names = [...services.matchAll(/^ {2}([a-z-]+):$/gm)].map((match) => match[1]);
    expect(names).toEqual(['redis', 'gateway', 'worker']);
    for (const name of names) {
      const block = services.slice(services.indexOf(`  ${name}:`)).split(/\n {2}[a-z-]+:\n/)[0]!;
      expect(block, name).toMatch(/\n {4}healthcheck:\n {6}test:/);
    }
    const published = [...services.matchAll(/^ {6}- "([^"]+)"/gm)].map((match) => match[1]);
    expect(published).toContain('127.0.0.1:8080:8080');
    expect(published).not.toContain('8080:8080');
  });
});
