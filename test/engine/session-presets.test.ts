/**
 * Session presets through the real pipeline (real Redis and BullMQ, the fake model): a `quick`
 * start, as the start command gives it (`/roundtable preset:quick`, Slack `start preset:quick`),
 * seats the panel's first three personas for one round of shorter turns — the fake model sees
 * smaller caps — while a start without a preset runs today's session (DEFAULT_PRESET `standard`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI, type RecordedRequest } from '../fake-openai/fake-openai-server.ts';
import { chatBody, messageText, roundtableReply, speakerOf } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import type { RunningApp } from '../../src/app/start-app.ts';

let fake: FakeOpenAI;
let app: RunningApp & { prefix: string };
const adapter = new RecordingAdapter();
const person = { id: 'u1', displayName: 'Ana' };
const topics = { quick: 'Quick take: a felt lamp for dorms', standard: 'Standard take: a felt lamp for dorms' } as const;
const sessions: Record<keyof typeof topics, string> = { quick: '', standard: '' };
const workshop = ['Bayar (巴雅尔)', 'Ayigul (阿依古丽)', 'Li Zhiqiang (李志强)', 'Zhang Xiaoya (张小雅)', 'Lin Siyu (林思雨)', 'Wang Xiaomeng (王晓萌)'];

const capOf = (request: RecordedRequest) => {
  const body = request.body as { max_tokens?: number; max_completion_tokens?: number };
  return body.max_tokens ?? body.max_completion_tokens ?? 0;
};
const requestsOf = (kind: keyof typeof topics, pattern: RegExp) => fake.chatRequests().filter((request) => messageText(chatBody(request)).includes(topics[kind]) && pattern.test(messageText(chatBody(request))));
const speechesOf = (sessionId: string) => adapter.postsOf(sessionId).filter((post) => post.speaker !== 'moderator');

beforeAll(async () => {
  fake = await startFakeOpenAI({ chat: roundtableReply });
  app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { AUTO_ROUNDS: 2 } });
  for (const kind of ['quick', 'standard'] as const) {
    const reply = await app.runCommand({
      name: 'start',
      options: { topic: topics[kind], ...(kind === 'quick' ? { preset: 'quick' } : {}) },
      person,
      address: { platform: 'terminal', channel: 'presets', thread: kind },
      sessionId: undefined,
    });
    expect(reply.sessionId, reply.text).toBeDefined();
    sessions[kind] = reply.sessionId!;
  }
  await waitFor(async () => (await Promise.all(Object.values(sessions).map((id) => app.roundtable.isBusy(id)))).every((busy) => !busy), 'both sessions to pause', 60_000);
}, 90_000);

afterAll(async () => {
  await app?.stop();
  await fake?.close();
  if (app) await cleanupRedis(app.prefix);
});

describe('a quick session', () => {
  it('records its preset and runs the first three personas of the panel for one round', async () => {
    const meta = (await app.store.load(sessions.quick))!;
    expect(meta.preset).toBe('quick');
    expect(meta.autoRounds).toBe(1);
    expect(meta.stage).toBe('paused');
    const speakers = speechesOf(sessions.quick).map((post) => post.speaker);
    // Three introductions, then one round of the same three.
    expect(speakers).toEqual([...workshop.slice(0, 3), ...workshop.slice(0, 3)]);
    expect(requestsOf('quick', /It is round 2 of the discussion/)).toHaveLength(0);
  });

  it('asks for shorter turns: every persona call has a smaller cap than the standard session’s', () => {
    for (const [kind, pattern] of [['introduction', /Introduce yourself to the others/], ['round', /It is round 1 of the discussion/]] as const) {
      const quick = requestsOf('quick', pattern);
      const standard = requestsOf('standard', pattern);
      expect(quick.length, kind).toBe(3);
      expect(standard.length, kind).toBe(6);
      const quickCaps = new Set(quick.map(capOf));
      const standardCaps = new Set(standard.map(capOf));
      expect(quickCaps.size, kind).toBe(1);
      expect(Math.max(...quickCaps), kind).toBeLessThan(Math.min(...standardCaps));
    }
    // The persona prompts also name only the seated personas.
    const roster = messageText(chatBody(requestsOf('quick', /It is round 1 of the discussion/)[0]!));
    expect(roster).not.toContain(workshop[5]);
    expect(speakerOf(chatBody(requestsOf('quick', /It is round 1 of the discussion/)[0]!))).toBe(workshop[0]);
  });
});

describe('a start without a preset', () => {
  it('runs today’s session: DEFAULT_PRESET standard, the whole panel, AUTO_ROUNDS rounds', async () => {
    const meta = (await app.store.load(sessions.standard))!;
    expect(meta.preset).toBe('standard');
    expect(meta.autoRounds).toBe(2);
    expect(speechesOf(sessions.standard)).toHaveLength(6 * 3);
  });
});
