/**
 * A full scripted session through the terminal adapter's real entry point (a child process running
 * `adapters/terminal/console-main.ts`), on the shared real redis-server and BullMQ, against the
 * fake OpenAI-compatible server through the real openai SDK.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { chatBody, messageText, roundtableReply, secretReasoning, speakerOf } from '../harness/roundtable-model.ts';
import { testRedisUrl, uniqueName, deleteKeys } from '../harness/redis.ts';
import { RedisKeys } from '../../src/store/keys.ts';
import { decodeEntry } from '../../src/store/transcript-codec.ts';

const personas = ['Bayar (巴雅尔)', 'Ayigul (阿依古丽)', 'Li Zhiqiang (李志强)', 'Zhang Xiaoya (张小雅)', 'Lin Siyu (林思雨)', 'Wang Xiaomeng (王晓萌)'];
const topic = 'A felt lamp for student dorms';
const script = ['Hello panel, could felt be fireproof enough?', '/status', '/vote', '/ballot 1 3', '/vote close', '/switch'].join('\n') + '\n';

let fake: FakeOpenAI;
let stdout = '';
let stderr = '';
let exitCode: number | null;
const prefix = uniqueName('term');
const dataDir = `/tmp/${uniqueName('trdata')}`;

beforeAll(async () => {
  fake = await startFakeOpenAI({ chat: roundtableReply });
  const child = spawn(process.execPath, ['--import', 'tsx', 'adapters/terminal/console-main.ts', '--topic', topic, '--rounds', '1'], {
    env: {
      ...process.env,
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: prefix,
      QUEUE_NAME: uniqueName('q'),
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: 'test-key',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(script);
  exitCode = await new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}, 120_000);

afterAll(async () => {
  await fake.close();
  const redis = new Redis(testRedisUrl());
  await deleteKeys(redis, `${prefix}:`);
  redis.disconnect();
  rmSync(dataDir, { recursive: true, force: true });
});

const lines = () => stdout.split('\n');

describe('scripted terminal session (real entry point)', () => {
  it('exits 0 and ends with the transcript path, which holds the Markdown transcript', () => {
    expect(exitCode, stderr).toBe(0);
    const last = lines().filter(Boolean).at(-1) ?? '';
    expect(last).toMatch(/^transcript: \//);
    const path = last.slice('transcript: '.length);
    expect(existsSync(path)).toBe(true);
    const markdown = readFileSync(path, 'utf8');
    expect(markdown).toContain(`# Roundtable: ${topic}`);
    expect(markdown).toContain('Hello panel, could felt be fireproof enough?');
    expect(markdown).not.toContain(secretReasoning);
  });

  it('opens with the moderator naming topic and panel, then six introductions in speaking order', () => {
    const opening = lines().find((line) => line.startsWith('[TableRound] **Roundtable:'));
    expect(opening).toContain(topic);
    const speakers = lines()
      .filter((line) => / speaks \(#\d+\)/.test(line))
      .map((line) => /^\[(.+?)\] /.exec(line)?.[1]);
    expect(speakers.slice(0, 6)).toEqual(personas);
    expect(speakers.slice(6, 12)).toEqual(personas);
  });

  it('pauses with a synthesis, answers the person, runs the vote, switches roles and closes', () => {
    const text = stdout;
    const order = ['**Pause.**', '**Vote on the keywords**', 'Vote p1 closed:', '**Vote closed.**', '**Role switch.**', '**Closing summary**'].map((marker) => text.indexOf(marker));
    for (const position of order) expect(position).toBeGreaterThan(-1);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // The person's message (sent after the pause) gets a reply turn before the vote.
    const reply = text.indexOf(' speaks (#', text.indexOf('**Pause.**'));
    expect(reply).toBeLessThan(text.indexOf('**Vote on the keywords**'));
    expect(text).toMatch(/\[TableRound\] Your ballot: felt, lamp shade\./);
    expect(text).toMatch(/Chosen: \*\*felt, Red wool, pattern\*\*/);
    // Six reflections after the switch.
    const afterSwitch = text.slice(text.indexOf('**Role switch.**'), text.indexOf('**Closing summary**'));
    expect(afterSwitch.match(/ speaks \(#/g)).toHaveLength(6);
    expect(text).toMatch(/\[TableRound\] \*\*.+\*\* — stage (discussion|paused), round 1 of 1 automatic/);
  });

  it('never prints reasoning text', () => {
    expect(stdout).not.toContain(secretReasoning);
    expect(stdout).not.toContain('<think>');
  });

  it('gives every turn the discussion so far, with a static persona prefix first', () => {
    const turns = fake.chatRequests().filter((request) => /It is round 1 of the discussion/.test(messageText(chatBody(request))));
    expect(turns).toHaveLength(6);
    const second = messageText(chatBody(turns[1]!));
    // The second speaker of round 1 sees what the first speaker said in round 1.
    const firstSpeakerText = stdout.match(/\[Bayar \(巴雅尔\)\] (Bayar \(巴雅尔\) speaks \(#\d+\) about the topic\.)/g)?.[1]?.replace(/^\[.+?\] /, '');
    expect(firstSpeakerText).toBeDefined();
    expect(second).toContain(firstSpeakerText!);
    expect(second).toContain(topic);
    const introOfBayar = fake.chatRequests().find((request) => speakerOf(chatBody(request)) === personas[0])!;
    expect(chatBody(turns[0]!).messages[0]).toEqual(chatBody(introOfBayar).messages[0]);
    expect(String(chatBody(turns[0]!).messages[0]?.content)).not.toContain(topic);
    // Reasoning never flows back into prompts either.
    for (const request of fake.chatRequests()) expect(messageText(chatBody(request))).not.toContain(secretReasoning);
  });

  it('leaves the session in Redis: ended, with transcript, notes, poll and a TTL', async () => {
    const redis = new Redis(testRedisUrl());
    const keys = new RedisKeys(prefix);
    const [metaKey] = await redis.keys(`${prefix}:s:*:meta`);
    const sessionId = /:s:\{(.+)\}:meta$/.exec(metaKey ?? '')?.[1];
    expect(sessionId).toMatch(/^terminal:console:/);
    const meta = await redis.hgetall(keys.session('meta', sessionId!));
    expect(meta.status).toBe('ended');
    expect(meta.stage).toBe('ended');
    expect(JSON.parse(meta.votedKeywords ?? '[]')).toEqual(['felt', 'Red wool', 'pattern']);
    expect(Number(meta.tokensPrompt)).toBeGreaterThan(0);
    const transcript = (await redis.lrange(keys.session('transcript', sessionId!), 0, -1)).map(decodeEntry);
    expect(transcript.filter((entry) => entry.kind === 'person')).toHaveLength(1);
    expect(transcript.filter((entry) => entry.kind === 'persona').length).toBeGreaterThanOrEqual(6 + 6 + 1 + 6);
    const notes = await redis.hgetall(keys.session('notes', sessionId!));
    expect(notes['craftsman_1:introduction']).toContain('speaks');
    expect(JSON.parse(notes['designer_1:keywords'] ?? '[]')).toContain('felt');
    expect(await redis.pttl(keys.session('transcript', sessionId!))).toBeGreaterThan(23 * 3_600_000);
    redis.disconnect();
  });
});
