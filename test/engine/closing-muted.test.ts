/**
 * The closing of a session with a muted panelist (meta.muted, set by /mute), through the real
 * pipeline against the fake model: the summary prompt asks no takeaway of the muted panelist, a
 * takeaway the model gives it anyway is dropped, the takeaways say it was muted, and the
 * transcript's line says who ended the session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { chatBody, messageText, roundtableReply } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import type { RunningApp } from '../../src/app/start-app.ts';
import { t } from '../../src/i18n/translate.ts';

let fake: FakeOpenAI;
let app: RunningApp & { prefix: string };
const adapter = new RecordingAdapter();
const person = { id: 'u1', displayName: 'Ana' };
let sessionId: string;

beforeAll(async () => {
  // The fake's closing summary gives Bayar a takeaway ("Respect the craft"): the model inventing one.
  fake = await startFakeOpenAI({ chat: roundtableReply });
  app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { AUTO_ROUNDS: 0 } });
  ({ sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'muted' }, person, topic: 'A felt lamp for student dorms' }));
  await waitFor(async () => !(await app.roundtable.isBusy(sessionId)) && adapter.postsOf(sessionId).length >= 7, 'the opening and six introductions');
  // As /mute records it.
  await app.redis.hset(app.store.key('meta', sessionId), 'muted', JSON.stringify(['craftsman_1', 'consumer_3']));
  await app.roundtable.submit(sessionId, person, { type: 'command', name: 'end', options: {} });
  await waitFor(async () => (await app.store.load(sessionId))?.status === 'ended', 'the session to end');
});

afterAll(async () => {
  await app?.stop();
  await fake?.close();
  if (app) await cleanupRedis(app.prefix);
});

describe('closing with muted panelists', () => {
  it('asks the summary model for takeaways of the others only', () => {
    const request = fake.chatRequests().find((candidate) => chatBody(candidate).response_format?.json_schema?.name === 'closing_summary')!;
    const names = /use their names exactly as given: (.+?)\);\n- designCard/s.exec(messageText(chatBody(request)))?.[1] ?? '';
    const [asked, refused] = names.split(' — ');
    expect(asked).toBe('Ayigul (阿依古丽), Li Zhiqiang (李志强), Zhang Xiaoya (张小雅), Lin Siyu (林思雨)');
    expect(refused).toMatch(/none for Bayar \(巴雅尔\), Wang Xiaomeng \(王晓萌\): muted by the people, they get no takeaway/);
  });

  it('drops a takeaway the model gave a muted panelist anyway, and says each was muted', () => {
    const summary = adapter.postsOf(sessionId).find((post) => post.text.startsWith(t('en', 'summary.title')))!;
    expect(summary.text).not.toContain('Respect the craft');
    expect(summary.text).toContain(`- Bayar (巴雅尔): ${t('en', 'closing.mutedTakeaway')}`);
    expect(summary.text).toContain(`- Wang Xiaomeng (王晓萌): ${t('en', 'closing.mutedTakeaway')}`);
  });

  it('says who ended the session, on the transcript’s line', () => {
    const transcript = adapter.postsOf(sessionId).filter((post) => post.files.length > 0);
    expect(transcript).toHaveLength(1);
    expect(transcript[0]!.text).toBe(t('en', 'closing.ended', { name: 'Ana' }));
    expect(transcript[0]!.files[0]!.bytes.toString('utf8')).toContain(`Bayar (巴雅尔): ${t('en', 'closing.mutedTakeaway')}`);
  });
});
