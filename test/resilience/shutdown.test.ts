/**
 * How the bot stops and comes back, through its real entry points:
 * - `npm start`'s supervisor restarts a bot that crashed (exit 75) and not one that failed on
 *   its configuration; it passes SIGTERM on and exits with the bot;
 * - SIGTERM while Slack answers every call with 429 (Retry-After 30 s) and a step is in the
 *   middle of posting: the process is gone within SHUTDOWN_GRACE_MS plus a few seconds;
 * - SIGHUP (passed on by the supervisor, sent by a closed terminal) stops the bot gracefully too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSlackEmulator, type SlackEmulator } from '../slack-emulator/slack-emulator.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { panelReplies, panelsDir } from '../slack-e2e/slack-e2e-harness.ts';
import { freeLoopbackPort } from '../../src/store/embedded-redis.ts';
import { deleteKeys, testRedis, testRedisUrl, uniqueName } from '../harness/redis.ts';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

function supervise(entry: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['scripts/supervise.mjs', entry], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

/** Pids of live processes whose environment holds `entry` (Linux /proc). */
function processesWithEnv(entry: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(entry)) pids.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

describe('the supervisor behind npm start', () => {
  it('restarts a bot that crashed, and not one whose configuration is wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tableround-supervise-'));
    const crashed = supervise('test/harness/crash-once-entry.ts', { RUNS_FILE: join(dir, 'crash'), EXIT_FIRST: '75' });
    expect(await exited(crashed)).toBe(0);
    expect(readFileSync(join(dir, 'crash'), 'utf8')).toBe('xx');
    const misconfigured = supervise('test/harness/crash-once-entry.ts', { RUNS_FILE: join(dir, 'config'), EXIT_FIRST: '1' });
    expect(await exited(misconfigured)).toBe(1);
    expect(readFileSync(join(dir, 'config'), 'utf8')).toBe('x');
  });

  it('passes SIGTERM to the bot and exits with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tableround-supervise-'));
    const child = supervise('test/harness/crash-once-entry.ts', { RUNS_FILE: join(dir, 'runs'), WAIT: '1' });
    await new Promise<void>((resolve) => child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('waiting') && resolve()));
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(readFileSync(join(dir, 'runs'), 'utf8')).toBe('x');
  });
});

describe('stopping while the platform answers 429 to everything', () => {
  let emulator: SlackEmulator | undefined;
  let fake: FakeOpenAI | undefined;
  const prefix = uniqueName('shutdown');
  afterAll(async () => {
    await emulator?.stop();
    await fake?.close();
    const redis = testRedis();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('exits within SHUTDOWN_GRACE_MS plus a few seconds of SIGTERM', { timeout: 90_000 }, async () => {
    emulator = await startSlackEmulator({ rateLimits: { postMessagePerChannel: { limit: 100, windowMs: 1_000 } } });
    fake = await startFakeOpenAI({ chat: panelReplies(() => 'A slow and thoughtful answer about kettles and their handles.', { size: 3, delayMs: 60 }) });
    const port = await freeLoopbackPort();
    const graceMs = 2_000;
    // Exactly as an operator runs it: `npm start` (SIGTERM goes to npm, as a process manager sends it).
    const bot = spawn('npm', ['start', '--silent'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env,
      LOG_LEVEL: 'silent',
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: prefix,
      QUEUE_NAME: uniqueName('q'),
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: 'sk-test',
      PANELS_DIR: panelsDir,
      DEFAULT_PANEL: 'duo',
      AUTO_ROUNDS: '2',
      SLACK_BOT_TOKEN: emulator.botToken,
      SLACK_SIGNING_SECRET: emulator.signingSecret,
      SLACK_API_URL: emulator.apiUrl,
      SLACK_HOST: '127.0.0.1',
      SLACK_PORT: String(port),
      SLACK_POST_WINDOW_MS: '50',
      SHUTDOWN_GRACE_MS: String(graceMs),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'tableround-shutdown-')),
    } });
    children.push(bot);
    emulator.setBotUrl(`http://127.0.0.1:${port}/slack/events`);
    const channel = emulator.addChannel('busy');
    const ada = emulator.addUser('ada');
    // The bot is up once it answers events: mention until a session thread has a post.
    await emulator.waitFor(() => emulator!.calls('auth.test').length > 0 || undefined, { timeoutMs: 30_000, message: 'the bot to start' });
    const mention = await emulator.userMentions(ada, channel.id, 'A kettle for the elderly');
    await emulator.waitFor(() => emulator!.thread(channel.id, mention.ts).some((message) => message.username !== undefined), { timeoutMs: 30_000, message: 'a persona post' });
    // From now on Slack refuses everything with Retry-After: 30 — a step is mid-turn.
    emulator.server.throttleEverything = 30;
    const signalledAt = Date.now();
    bot.kill('SIGTERM');
    await exited(bot);
    const tookMs = Date.now() - signalledAt;
    console.log(`stopped ${tookMs} ms after SIGTERM (grace ${graceMs} ms)`);
    expect(tookMs).toBeLessThan(graceMs + 9_000);
    // Nothing of the bot is left running (npm's shell used to swallow the signal and orphan it).
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(processesWithEnv(`REDIS_KEY_PREFIX=${prefix}`)).toEqual([]);
  });
});

describe('SIGHUP', () => {
  let emulator: SlackEmulator | undefined;
  const prefix = uniqueName('hangup');
  afterAll(async () => {
    await emulator?.stop();
    const redis = testRedis();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('runs the graceful shutdown and exits 0, not killed by the signal', { timeout: 60_000 }, async () => {
    emulator = await startSlackEmulator();
    const port = await freeLoopbackPort();
    const bot = spawn(process.execPath, ['--import', 'tsx', 'adapters/main.ts'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env,
      LOG_LEVEL: 'info',
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: prefix,
      QUEUE_NAME: uniqueName('q'),
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      OPENAI_API_KEY: 'sk-test',
      PANELS_DIR: panelsDir,
      DEFAULT_PANEL: 'duo',
      SLACK_BOT_TOKEN: emulator.botToken,
      SLACK_SIGNING_SECRET: emulator.signingSecret,
      SLACK_API_URL: emulator.apiUrl,
      SLACK_HOST: '127.0.0.1',
      SLACK_PORT: String(port),
      SHUTDOWN_GRACE_MS: '1000',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'tableround-hangup-')),
    } });
    children.push(bot);
    let output = '';
    bot.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    bot.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await emulator.waitFor(() => output.includes('TableRound is running') || bot.exitCode !== null || undefined, { timeoutMs: 45_000, message: 'the bot to start' });
    expect(bot.exitCode, output).toBeNull();
    bot.kill('SIGHUP');
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => bot.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal])));
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(output).toMatch(/"reason":"SIGHUP".*"msg":"stopping"|"msg":"stopping".*"reason":"SIGHUP"/);
  });
});
