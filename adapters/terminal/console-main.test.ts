/**
 * The terminal's start: its configuration is checked as the terminal runs (not as ROLE says), and
 * the one line it prints for a failure is scrubbed like a log line.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { TableRoundError } from '../../src/errors.ts';
import { describeStartupFailure } from './console-main.ts';

const run = promisify(execFile);

describe('describeStartupFailure', () => {
  it('scrubs credentials and keys from the line it prints, whatever the error', () => {
    const lines = [
      describeStartupFailure(new TableRoundError('redis_unavailable', 'Redis at redis://:pa#ss@10.0.0.5:6379 did not answer: check REDIS_URL')),
      describeStartupFailure(new TableRoundError('config_invalid', 'OPENAI_BASE_URL https://user:p?ss@llm.example.com/v1 refused')),
      describeStartupFailure(new Error('401 Incorrect API key provided: sk-proj-abcdefghijklmnop1234\n    at stack')),
      describeStartupFailure('redis://user:hunter2@host:6379 unreachable'),
    ];
    expect(lines.join('\n')).not.toMatch(/pa#ss|p\?ss|sk-proj-abcdefghijklmnop1234|hunter2|at stack/);
    expect(lines[0]).toBe('Redis at redis://[redacted]@10.0.0.5:6379 did not answer: check REDIS_URL');
  });
});

describe('npm run console', () => {
  it('is not stopped by the avatar rule when ROLE=all and HTTP_PORT=0: the terminal serves no avatars', { timeout: 60_000 }, async () => {
    const directory = mkdtempSync(join(tmpdir(), 'tableround-console-'));
    try {
      // No model configured: the start goes past the configuration and stops at the next check.
      const result = await run(resolve('node_modules/.bin/tsx'), [resolve('adapters/terminal/console-main.ts'), '--topic', 'A lamp'], {
        cwd: directory,
        env: { PATH: process.env.PATH ?? '', HOME: directory, ROLE: 'all', HTTP_PORT: '0', PUBLIC_BASE_URL: 'https://bot.example.com', DATA_DIR: directory },
      }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? '' }),
      );
      expect(result.code).toBe(1);
      expect(result.stderr).not.toMatch(/PUBLIC_BASE_URL/);
      expect(result.stderr).toMatch(/OPENAI/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
