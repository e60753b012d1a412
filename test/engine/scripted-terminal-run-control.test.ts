/**
 * Run control in a scripted terminal session through a pipe (the real entry point as a child
 * process, on the shared redis-server and BullMQ, against the fake model): `/ask`, `/stop`,
 * `/pause`, `/mute`, `/unmute` and `/resume` act as soon as they are read — `/stop` while a
 * persona is writing aborts it — while people's messages and the other commands wait for an idle
 * panel; every post stays a `[Name] text` line, and a persona about to write is announced.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI, type RecordedRequest } from '../fake-openai/fake-openai-server.ts';
import { chatBody, messageText, roundtableReply, speakerOf } from '../harness/roundtable-model.ts';
import { cleanupRedis, waitFor } from '../harness/test-app.ts';
import { testRedisUrl, uniqueName } from '../harness/redis.ts';

const prefix = uniqueName('termctl');
const dataDir = `/tmp/${uniqueName('trctl')}`;
const isReply = (request: RecordedRequest) => /a person in the thread has just written to the table/.test(messageText(chatBody(request)));
const isRoundTurn = (request: RecordedRequest) => /It is round \d+ of the discussion/.test(messageText(chatBody(request)));
const bayar = 'Bayar (巴雅尔)';

let fake: FakeOpenAI;
let stdout = '';
let stderr = '';
let exitCode: number | null;

beforeAll(async () => {
  fake = await startFakeOpenAI({
    chat: (request) => {
      const reply = roundtableReply(request);
      // Bayar's first reply writes for ~20 s: it is stopped in the middle.
      const first = isReply(request) && speakerOf(chatBody(request)) === bayar && fake.chatRequests().filter((other) => isReply(other) && speakerOf(chatBody(other)) === bayar).length === 1;
      return reply.kind === 'text' && first ? { ...reply, text: `${reply.text} ${'Felt is a warm material. '.repeat(30)}`, chunkSize: 4, chunkDelayMs: 100 } : reply;
    },
  });
  const child = spawn(process.execPath, ['--import', 'tsx', 'adapters/terminal/console-main.ts', '--topic', 'A felt lamp for student dorms', '--rounds', '0'], {
    env: { ...process.env, REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: prefix, QUEUE_NAME: uniqueName('q'), OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test-key', DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  // The panel introduces itself; then a question for Bayar, stopped while he writes.
  await waitFor(() => (stdout.match(/ speaks \(#\d+\)/g) ?? []).length >= 6, 'the introductions', 60_000);
  child.stdin.write('/ask Bayar what about felt?\n');
  await waitFor(() => fake.chatRequests().some((request) => isReply(request) && speakerOf(chatBody(request)) === bayar), 'Bayar to start writing', 30_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  child.stdin.write('/stop\n');
  await waitFor(() => stdout.includes('stopped the panel'), 'the stop notice', 30_000);
  // The rest at once: the steering commands act as read, the rest waits for an idle panel.
  child.stdin.end(['/pause', 'Anyone there?', '/mute Li', 'Li, what about the cost?', '/unmute Li', 'Bayar, and now?', '/status', '/resume 1'].join('\n') + '\n');
  exitCode = await exited;
}, 150_000);

afterAll(async () => {
  await fake.close();
  await cleanupRedis(prefix);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('run control in a scripted terminal session', () => {
  it('exits 0 with the transcript, every post a [Name] line', () => {
    expect(exitCode, stderr).toBe(0);
    expect(stdout.trim().split('\n').at(-1)).toMatch(/^transcript: \//);
    const lines = stdout.split('\n');
    // Persona posts are `[Name] text` lines; nothing else (a log line) among them.
    for (const line of lines.filter((candidate) => / speaks \(#\d+\)/.test(candidate))) expect(line).toMatch(/^\[[^\]]+\] .+ speaks \(#\d+\)/);
    for (const line of lines) expect(line).not.toMatch(/^\s*\{.*"level"/);
    // A persona about to write is announced on a line of its own — on stderr when stdout is a
    // pipe, so it never reads as part of the previous `[Name]` post.
    expect(stderr.split('\n')).toContain(`… ${bayar} is writing`);
    expect(stdout).not.toContain('is writing');
  });

  it('/ask is said in the thread; /stop aborts Bayar’s answer, which is never posted', () => {
    expect(stdout).toMatch(/^\[TableRound\] .+ asks Bayar \(巴雅尔\): what about felt\?$/m);
    const stopped = fake.chatRequests().find((request) => isReply(request) && speakerOf(chatBody(request)) === bayar)!;
    expect(stopped.completed).toBe(false);
    const asked = stdout.indexOf(`asks ${bayar}: what about felt?`);
    const notice = stdout.indexOf('stopped the panel');
    expect(stdout.slice(asked, notice)).not.toMatch(/^\[Bayar \(巴雅尔\)\]/m);
  });

  it('paused: the unaddressed message gets no reply, the muted persona a notice, the asked one an answer', () => {
    const paused = stdout.indexOf('paused the panel');
    const muted = stdout.indexOf('🔇 Li Zhiqiang (李志强) is muted');
    const mutedAnswer = stdout.indexOf('Li Zhiqiang (李志强) is muted and will not answer');
    const back = stdout.indexOf('🔊 Li Zhiqiang (李志强) is back');
    expect(paused).toBeGreaterThan(-1);
    expect([paused, muted, mutedAnswer, back].every((position, index, all) => index === 0 || position > all[index - 1]!)).toBe(true);
    // Between the pause and the unmute no persona spoke: "Anyone there?" was only recorded.
    expect(stdout.slice(paused, back)).not.toMatch(/^\[(?!TableRound\])/m);
    // "Bayar, and now?" was answered by Bayar while paused.
    const answer = stdout.indexOf(`[${bayar}] ${bayar} speaks (#`, back);
    expect(answer).toBeGreaterThan(back);
    expect(stdout.indexOf('Paused: no automatic turns until resumed.', answer)).toBeGreaterThan(answer);
  });

  it('/resume 1 runs one announced round of six turns, then the pause and the close', () => {
    const round = stdout.indexOf('[TableRound] **Round 1** — speaking in turn: Bayar (巴雅尔), Ayigul (阿依古丽), Li Zhiqiang (李志强)');
    expect(round).toBeGreaterThan(stdout.indexOf('Paused: no automatic turns'));
    const afterRound = stdout.slice(round, stdout.indexOf('**Pause.**', round));
    expect(afterRound.match(/^\[(?!TableRound\]).+ speaks \(#/gm)).toHaveLength(6);
    expect(fake.chatRequests().filter(isRoundTurn)).toHaveLength(6);
    expect(stdout.indexOf('**Closing summary**')).toBeGreaterThan(round);
  });
});
