/**
 * `/stop` through the real pipeline (real Redis, BullMQ, the openai SDK against the fake model),
 * with the terminal adapter streaming as at a TTY: the model request in flight is aborted (the
 * fake sees its connection close before the answer is complete), the half-written post is
 * finished as it stands with "(stopped)", no further persona post starts, the moderator names
 * who stopped the panel — and a `/stop` with nothing running says so.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI, type RecordedRequest } from '../fake-openai/fake-openai-server.ts';
import { chatBody, messageText, roundtableReply } from '../harness/roundtable-model.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import type { RunningApp } from '../../src/app/start-app.ts';
import { TerminalAdapter } from '../../adapters/terminal/terminal-adapter.ts';

const isRoundTurn = (request: RecordedRequest) => /It is round \d+ of the discussion/.test(messageText(chatBody(request)));

let fake: FakeOpenAI;
let app: RunningApp & { prefix: string };
let printed = '';
const starter = { id: 'u1', displayName: 'Ana' };
const address = { platform: 'terminal' as const, channel: 'c', thread: 'stop' };
let sessionId: string;
const roundTurns = () => fake.chatRequests().filter(isRoundTurn);
const idle = (what: string) => waitFor(async () => !(await app.roundtable.isBusy(sessionId)), what, 60_000);

beforeAll(async () => {
  fake = await startFakeOpenAI({
    chat: (request) => {
      const reply = roundtableReply(request);
      // Round turns stream for ~15 s: long enough to be stopped in the middle.
      if (reply.kind !== 'text' || !isRoundTurn(request)) return reply;
      return { ...reply, text: `${reply.text} ${'More words about felt and warm light. '.repeat(40)}`, chunkSize: 6, chunkDelayMs: 60 };
    },
  });
  const directory = mkdtempSync(join(tmpdir(), 'tableround-stop-'));
  const terminal = new TerminalAdapter({ write: (text: string) => (printed += text) }, join(directory, 'files'), join(directory, 'transcripts'), true);
  app = await startTestApp({ modelUrl: fake.url, adapters: [terminal], env: { AUTO_ROUNDS: 0 } });
  ({ sessionId } = await app.roundtable.start({ address, person: starter, topic: 'A felt lamp for student dorms', rounds: 1 }));
});

afterAll(async () => {
  await app?.stop();
  await fake?.close();
  if (app) await cleanupRedis(app.prefix);
});

describe('/stop', () => {
  it('aborts the stream in flight within 2 s, finishes its post "(stopped)", and nothing more is said', async () => {
    await waitFor(() => roundTurns().length === 1, 'the first round turn to start');
    const mark = printed.length;
    await waitFor(() => /\[Bayar \(巴雅尔\)\] Bayar \(巴雅尔\) speaks \(#\d+\) about the topic\. More/.test(printed.slice(mark)), 'its stream to show in the terminal');
    // The round was announced with its speakers, and the terminal showed who was writing.
    expect(printed).toContain('[TableRound] **Round 1** — speaking in turn: Bayar (巴雅尔), Ayigul (阿依古丽), Li Zhiqiang (李志强), Zhang Xiaoya (张小雅), Lin Siyu (林思雨), Wang Xiaomeng (王晓萌).');
    expect(printed).toContain('… Bayar (巴雅尔) is writing\n');

    // Someone who neither started the session nor manages the channel may not stop it.
    const refused = await app.runCommand({ name: 'stop', options: {}, person: { id: 'u2', displayName: 'Bo' }, address, sessionId });
    expect(refused.text).toMatch(/^Only the person who started this roundtable or .+ can use stop\.$/);

    const askedAt = Date.now();
    const reply = await app.runCommand({ name: 'stop', options: {}, person: starter, address, sessionId });
    expect(reply.text).toBe('Stopping the panel…');
    const [request] = roundTurns();
    await waitFor(() => request!.closedAt !== undefined, 'the model request to be aborted', 5_000);
    expect(request!.completed).toBe(false);
    expect(request!.closedAt! - askedAt).toBeLessThan(2_000);

    await idle('the stop notice');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(roundTurns()).toHaveLength(1);
    const after = printed.slice(mark);
    // The half-written post was finished as it stood, on its own line.
    expect(after).toMatch(/\[Bayar \(巴雅尔\)\] Bayar \(巴雅尔\) speaks \(#\d+\) about the topic\.[^[]*\n\n_\(stopped\)_\n/);
    expect(after).toMatch(/\[TableRound\] ⏹ Ana stopped the panel\. Nothing more is planned: write in the thread and the panel answers, `\/ask <persona> <text>` asks one persona, `\/resume \[rounds\]` runs more rounds\.\n/);
    // No persona spoke after the stop notice.
    const afterNotice = after.slice(after.indexOf('⏹'));
    expect(afterNotice).not.toMatch(/^\[(?!TableRound\])/m);

    const meta = await app.store.load(sessionId);
    expect(meta?.agenda).toEqual([]);
    expect(meta?.status).toBe('active');
    const transcript = await app.store.transcript(sessionId);
    const stopped = transcript.filter((entry) => entry.kind === 'persona').at(-1);
    expect(stopped?.speakerName).toBe('Bayar (巴雅尔)');
    expect(stopped?.text).toMatch(/^Bayar \(巴雅尔\) speaks \(#\d+\) about the topic\..* \(stopped\)$/s);
    expect(transcript.at(-1)?.text).toMatch(/^⏹ Ana stopped the panel/);
  });

  it('says there is nothing to stop when the panel is idle', async () => {
    await idle('an idle panel');
    const reply = await app.runCommand({ name: 'stop', options: {}, person: starter, address, sessionId });
    expect(reply.text).toBe('Nothing is running right now, so there is nothing to stop.');
    expect(await app.roundtable.isBusy(sessionId)).toBe(false);
  });

  it('lets the session go on: a person is answered after the stop', async () => {
    const before = fake.chatRequests().length;
    await app.roundtable.submit(sessionId, starter, { type: 'message', text: 'Ayigul, would you buy it?', images: [] });
    await idle('the answer');
    const answered = fake.chatRequests().slice(before);
    expect(answered).toHaveLength(1);
    expect(messageText(chatBody(answered[0]!))).toContain('Speak now as Ayigul (阿依古丽).');
  });
});
