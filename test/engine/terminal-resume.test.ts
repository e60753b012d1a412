/**
 * The terminal stopped mid-session (Ctrl-C) and started again with --resume: the session goes on
 * from where it was, on the same Redis, and every persona's turn appears exactly once.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { roundtableReply } from '../harness/roundtable-model.ts';
import { cleanupRedis } from '../harness/test-app.ts';
import { testRedisUrl, uniqueName } from '../harness/redis.ts';

const prefix = uniqueName('resume');
const dataDir = `/tmp/${uniqueName('trresume')}`;
afterAll(async () => {
  await cleanupRedis(prefix);
  rmSync(dataDir, { recursive: true, force: true });
});

function runConsole(args: string[], env: Record<string, string>, onOutput?: (text: string, kill: () => void) => void): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'adapters/terminal/console-main.ts', ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    onOutput?.(stdout, () => child.kill('SIGINT'));
  });
  // Keep stdin open in the first run (a person who has not finished typing); close it in the second.
  if (!onOutput) child.stdin.end();
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout })));
}

describe('terminal --resume', () => {
  it('continues an interrupted session where it was', async () => {
    const fake = await startFakeOpenAI({
      chat: (request) => {
        const reply = roundtableReply(request);
        return reply.kind === 'text' ? { ...reply, chunkDelayMs: 20 } : reply;
      },
    });
    const env = { REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: prefix, QUEUE_NAME: uniqueName('q'), OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'k', DATA_DIR: dataDir, LOG_LEVEL: 'error' };
    let interrupted = false;
    const first = await runConsole(['--topic', 'A resumable lamp', '--rounds', '1'], env, (stdout, kill) => {
      if (!interrupted && (stdout.match(/ speaks \(#/g) ?? []).length >= 3) {
        interrupted = true;
        kill();
      }
    });
    expect(first.code).toBe(130);
    expect(first.stdout).not.toMatch(/^transcript: /m);

    const second = await runConsole(['--resume'], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^\[TableRound\] Resuming “A resumable lamp”/m);
    expect(second.stdout.trim().split('\n').at(-1)).toMatch(/^transcript: \//);
    const speeches = `${first.stdout}\n${second.stdout}`.split('\n').filter((line) => / speaks \(#/.test(line) && !line.startsWith('[TableRound]'));
    const speakers = speeches.map((line) => /^\[(.+?)\] /.exec(line)?.[1]);
    const panel = ['Bayar (巴雅尔)', 'Ayigul (阿依古丽)', 'Li Zhiqiang (李志强)', 'Zhang Xiaoya (张小雅)', 'Lin Siyu (林思雨)', 'Wang Xiaomeng (王晓萌)'];
    expect(speakers).toEqual([...panel, ...panel]);
    expect(new Set(speeches).size).toBe(speeches.length);
    await fake.close();
  });
});
