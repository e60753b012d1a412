/**
 * The terminal, driven as a person would drive it (the real entry point as a child process, stdin
 * a pipe): every bad flag, file and configuration gets one plain sentence and a prompt exit — no
 * hang, no stack trace, no JSON log line among the posts — and one answer per command.
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { roundtableReply } from '../harness/roundtable-model.ts';
import { cleanupRedis } from '../harness/test-app.ts';
import { testRedisUrl, uniqueName } from '../harness/redis.ts';
import { panelsDir } from '../slack-e2e/slack-e2e-harness.ts';

let fake: FakeOpenAI;
const prefix = uniqueName('termbad');
const dataDir = mkdtempSync(join(tmpdir(), 'tableround-terminal-bad-'));
beforeAll(async () => {
  fake = await startFakeOpenAI({ chat: roundtableReply });
});
afterAll(async () => {
  await fake.close();
  await cleanupRedis(prefix);
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function console(args: string[], input: string, env: Record<string, string> = {}): Promise<Run> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'adapters/terminal/console-main.ts', ...args], {
    env: {
      ...process.env,
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: prefix,
      QUEUE_NAME: uniqueName('q'),
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: 'test-key',
      DATA_DIR: dataDir,
      PANELS_DIR: panelsDir,
      DEFAULT_PANEL: 'duo',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started })));
}

/** The lines a person sees on stderr besides the one naming the log file. */
/** What the terminal said on stderr besides its start-up notes and the "… Bayar is writing" status lines (stderr when stdout is a pipe). */
const said = (run: Run) =>
  run.stderr.split('\n').filter((line) => line.trim() && !line.startsWith('tableround: logs are written to') && !line.startsWith('tableround: no DISCORD_TOKEN') && !/^… .+ is writing$/.test(line));

describe('the terminal with bad input', () => {
  it('names REDIS_URL and exits when Redis is unreachable, and refuses a URL that is not Redis', async () => {
    const unreachable = await console(['--topic', 'x'], '', { REDIS_URL: 'redis://127.0.0.1:1', REDIS_CONNECT_TIMEOUT_MS: '1000' });
    expect(unreachable.code).toBe(1);
    expect(said(unreachable)).toEqual([expect.stringMatching(/^tableround: Redis at REDIS_URL did not answer within 1 s/)]);
    expect(unreachable.ms).toBeLessThan(20_000);
    const http = await console(['--topic', 'x'], '', { REDIS_URL: 'http://127.0.0.1:6379' });
    expect(http.code).toBe(1);
    expect(said(http)).toEqual([expect.stringMatching(/REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL, or a Unix socket path/)]);
  });

  it('answers bad flags in one plain sentence', async () => {
    const rounds = await console(['--topic', 'A lamp', '--rounds', '999'], '');
    expect(rounds.code).toBe(1);
    expect(said(rounds)).toEqual(['tableround: Rounds must be a whole number from 0 to 5.']);
    const empty = await console(['--topic', ''], 'typed topic\n');
    expect(empty.code).toBe(1);
    expect(said(empty)[0]).toMatch(/--topic needs a topic/);
    const unknown = await console(['--topik', 'x'], '');
    expect(said(unknown)[0]).toMatch(/^tableround: --topik is not an option\./);
  });

  it('refuses a FIFO given with --image at once, naming it', async () => {
    const fifo = join(dataDir, 'pipe.png');
    execFileSync('mkfifo', [fifo]);
    const run = await console(['--topic', 'A lamp', '--image', fifo], '');
    expect(run.code).toBe(1);
    expect(said(run)).toEqual([`tableround: ${fifo} is a named pipe, not an image file.`]);
    expect(run.ms).toBeLessThan(20_000);
  });

  it('in a session: /image of a device or a folder, and /ballot with no vote, get one line each; logs stay out of the terminal', async () => {
    const run = await console(['--topic', 'A lamp', '--rounds', '0'], `/image /dev/zero\n/image ${dataDir}\n/ballot 1\n`);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n').filter(Boolean);
    // Posts only: no JSON log line, no stack frame.
    for (const line of lines) expect(line).not.toMatch(/^\s*\{.*"level"|^\s+at /);
    expect(lines.filter((line) => line === '[TableRound] /dev/zero is a device, not an image file.')).toHaveLength(1);
    expect(lines.filter((line) => line === `[TableRound] ${dataDir} is a folder, not an image file.`)).toHaveLength(1);
    expect(lines.filter((line) => /no open vote/i.test(line))).toEqual(['[TableRound] There is no open vote to take your ballot.']);
    expect(run.stdout).not.toMatch(/"level"|\bat .+\.ts:\d+/);
    expect(said(run)).toEqual([]);
    const log = readFileSync(join(dataDir, 'logs', 'terminal.log'), 'utf8');
    expect(log).toMatch(/"level":30/);
  });
});
