/**
 * Idle close through the real pipeline (real Redis and BullMQ, the real openai SDK against the fake
 * model), with two worker instances sharing Redis and the queue, as two worker processes would: a
 * session without activity for IDLE_END_HOURS (here 1.8 s) is ended as by /end — summary,
 * transcript, the line saying it closed for inactivity in the session's language — exactly once;
 * a session people keep talking in is not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { chatBody, messageText, roundtableReply } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { uniqueName } from '../harness/redis.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import { panelsDir } from '../slack-e2e/slack-e2e-harness.ts';
import type { RunningApp } from '../../src/app/start-app.ts';
import { idleDuration } from '../../src/engine/steps/closing-step.ts';
import { t } from '../../src/i18n/translate.ts';
import { activityIndexKey } from '../../src/pipeline/idle-closer.ts';

const idleHours = 0.0005;
const idleMs = idleHours * 3_600_000;
let fake: FakeOpenAI;
let first: RunningApp & { prefix: string };
let second: RunningApp & { prefix: string };
const adapter = new RecordingAdapter();
const person = { id: 'u1', displayName: 'Ana' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  fake = await startFakeOpenAI({ chat: roundtableReply });
  const shared = { modelUrl: fake.url, adapters: [adapter], prefix: uniqueName('idle'), queueName: uniqueName('q'), env: { IDLE_END_HOURS: idleHours, AUTO_ROUNDS: 0, PANELS_DIR: panelsDir, DEFAULT_PANEL: 'duo' } };
  first = await startTestApp(shared);
  second = await startTestApp(shared);
});

afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
  await fake?.close();
  if (first) await cleanupRedis(first.prefix);
});

const ended = async (sessionId: string) => (await first.store.load(sessionId))?.status === 'ended';
const summaryRequests = (topic: string) =>
  fake.chatRequests().filter((request) => chatBody(request).response_format?.json_schema?.name === 'closing_summary' && messageText(chatBody(request)).includes(topic));

describe('a session without activity', () => {
  it('is ended once, as by /end — summary, transcript, and a line saying it closed for inactivity, in its language', async () => {
    const sessions = [
      { language: 'en', topic: 'A felt lamp for a small room' },
      { language: 'zh', topic: '一盏适合学生宿舍的毛毡台灯，应该是什么样子' },
    ];
    const ids = await Promise.all(sessions.map(({ language, topic }) => first.roundtable.start({ address: { platform: 'terminal', channel: 'idle', thread: language }, person, topic }).then((started) => started.sessionId)));
    await waitFor(async () => (await Promise.all(ids.map(ended))).every(Boolean), 'both idle sessions to be closed', 30_000);
    // Several more passes of both workers: nothing is closed twice.
    await sleep(3 * idleMs);
    for (const [index, { language, topic }] of sessions.entries()) {
      const sessionId = ids[index]!;
      const meta = (await first.store.load(sessionId))!;
      expect(meta.language).toBe(language);
      const posts = adapter.postsOf(sessionId);
      const summaries = posts.filter((post) => post.text.startsWith(t(language, 'summary.title')));
      const transcripts = posts.filter((post) => post.files.length > 0);
      expect(summaries, language).toHaveLength(1);
      expect(transcripts, language).toHaveLength(1);
      expect(transcripts[0]!.text).toBe(t(language, 'closing.idle', { duration: idleDuration(idleHours, language) }));
      const markdown = transcripts[0]!.files[0]!.bytes.toString('utf8');
      expect(markdown).toContain(topic);
      expect(markdown).toContain('Felt Glow');
      // The intros came first; the close followed them, after the idle time.
      expect(posts.filter((post) => post.speaker !== 'moderator')).toHaveLength(2);
      expect(summaries[0]!.at - posts[posts.indexOf(summaries[0]!) - 1]!.at).toBeGreaterThanOrEqual(idleMs - 50);
      expect(summaryRequests(topic)).toHaveLength(1);
    }
    expect(t('zh', 'closing.idle', { duration: idleDuration(idleHours, 'zh') })).toMatch(/^本场圆桌已闲置1\.8秒钟，现已自动结束。/);
    // Ended sessions leave the activity index once it looks at them again.
    await waitFor(async () => (await first.redis.zscore(activityIndexKey(first.keys), ids[0]!)) === null, 'the ended session to leave the index', 10_000);
  });

  it('is not ended while people keep talking, and is once they stop', async () => {
    const topic = 'A kettle that is pleasant to pour';
    const { sessionId } = await first.roundtable.start({ address: { platform: 'terminal', channel: 'idle', thread: 'talk' }, person, topic });
    await waitFor(async () => !(await first.roundtable.isBusy(sessionId)) && adapter.postsOf(sessionId).length >= 3, 'the introductions');
    // A message every 0.6 s for 3× the idle time: each is taken by a step, which is activity.
    const until = Date.now() + 3 * idleMs;
    for (let message = 0; Date.now() < until; message++) {
      await second.roundtable.submit(sessionId, person, { type: 'message', text: `Still here, thought ${message}.`, images: [] });
      await sleep(600);
      expect(await ended(sessionId)).toBe(false);
    }
    expect(adapter.postsOf(sessionId).some((post) => post.files.length > 0)).toBe(false);
    expect(summaryRequests(topic)).toHaveLength(0);
    await waitFor(() => ended(sessionId), 'the session to close once people stopped', 30_000);
    expect(adapter.postsOf(sessionId).filter((post) => post.files.length > 0)).toHaveLength(1);
  });
});
