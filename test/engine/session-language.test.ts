/**
 * The session's language through the real pipeline (real Redis, BullMQ and openai SDK, the fake
 * model): a Chinese topic makes the moderator speak Chinese and the prompts ask for Chinese; the
 * people's language takes over after two of their messages; `/lang` overrides and `/lang auto`
 * hands the choice back; a session can start with a language (the terminal's `--lang`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI, type RecordedRequest } from '../fake-openai/fake-openai-server.ts';
import { chatBody, messageText, roundtableReply, speakerOf } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import { panelsDir } from '../slack-e2e/slack-e2e-harness.ts';
import type { RunningApp } from '../../src/app/start-app.ts';

let fake: FakeOpenAI;
let app: RunningApp & { prefix: string };
const adapter = new RecordingAdapter();
const person = { id: 'u1', displayName: 'Ana' };
const address = { platform: 'terminal' as const, channel: 'c', thread: 'language' };
let sessionId: string;

const idle = (id: string, what: string) => waitFor(async () => !(await app.roundtable.isBusy(id)), what);
const moderatorPosts = (id: string) => adapter.postsOf(id).filter((post) => post.speaker === 'moderator').map((post) => post.text);
/** What the latest persona prompt asks to be written in (session-context.md: "Language to write in: …."). */
const personaPrompts = () => fake.chatRequests().filter((request) => speakerOf(chatBody(request)) !== 'moderator');
const askedLanguage = (request: RecordedRequest | undefined) => (request ? /Language to write in: (.+?)\.\n/.exec(messageText(chatBody(request)))?.[1] : undefined);
const say = async (text: string) => {
  await app.roundtable.submit(sessionId, person, { type: 'message', text, images: [] });
  await idle(sessionId, `the answer to “${text}”`);
};

beforeAll(async () => {
  fake = await startFakeOpenAI({ chat: roundtableReply });
  app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { PANELS_DIR: panelsDir, DEFAULT_PANEL: 'duo' } });
  ({ sessionId } = await app.roundtable.start({ address, person, topic: '蒙古族剪纸文创产品设计', rounds: 1 }));
  await idle(sessionId, 'the opening, introductions, one round and the pause');
});

afterAll(async () => {
  await app?.stop();
  await fake?.close();
  if (app) await cleanupRedis(app.prefix);
});

describe('the session language', () => {
  it('follows a Chinese topic: the moderator’s own posts in Chinese, every prompt asks for Chinese', async () => {
    const [opening, round, pause] = moderatorPosts(sessionId);
    expect(opening).toMatch(/^\*\*圆桌讨论：蒙古族剪纸文创产品设计\*\*\n嘉宾（Duo \(test panel\)）：Bayar the Maker \(Craftsman\)、Lin the Designer \(Designer\)。/);
    expect(opening).toMatch(/再停下来等你。.+命令：`\/ask <persona> <text>`, `\/end`, .*`\/lang <code>`.*`\/stop`/);
    expect(round).toBe('**第 1 轮** —— 依次发言：Bayar the Maker、Lin the Designer。');
    expect(pause).toMatch(/^\*\*暂停。\*\* .+\n\n接下来呢？/s);
    expect(personaPrompts().length).toBeGreaterThanOrEqual(4);
    for (const request of personaPrompts()) expect(askedLanguage(request)).toBe('Chinese');
    const synthesis = fake.chatRequests().find((request) => /short synthesis/.test(messageText(chatBody(request))));
    expect(messageText(chatBody(synthesis!))).toContain('Write, in Chinese,');
    const status = await app.runCommand({ name: 'status', options: {}, person, address, sessionId });
    expect(status.text).toContain('阶段：暂停');
    expect(status.text).toContain('语言：中文（跟随对话）');
    expect((await app.store.load(sessionId))?.language).toBe('zh');
  });

  it('takes the people’s language after two of their messages agree, not after one', async () => {
    await say('Could you tell us more about the price for students?');
    expect(askedLanguage(personaPrompts().at(-1))).toBe('Chinese');
    await say('I would also like to hear which materials you would use.');
    expect(askedLanguage(personaPrompts().at(-1))).toBe('English');
    expect((await app.store.load(sessionId))?.language).toBe('en');
  });

  it('obeys /lang fr over the people and the topic, and /lang auto follows the conversation again', async () => {
    const reply = await app.runCommand({ name: 'lang', options: { code: 'FR' }, person, address, sessionId });
    expect(reply.text).toBe('Switching the roundtable to français…');
    await idle(sessionId, 'the language switch');
    expect(moderatorPosts(sessionId).at(-1)).toBe('🌐 The roundtable speaks français from now on (chosen by Ana; `/lang auto` follows the conversation again).');
    expect(await app.store.load(sessionId)).toMatchObject({ language: 'fr', languageOverride: 'fr' });
    const status = await app.runCommand({ name: 'status', options: {}, person, address, sessionId });
    expect(status.text).toContain('Language: français (chosen)');

    await app.runCommand({ name: 'lang', options: { code: 'auto' }, person, address, sessionId });
    await idle(sessionId, 'the language switch back');
    // The people's last messages are English: detection decides again, and says so in English.
    expect(moderatorPosts(sessionId).at(-1)).toBe('🌐 The roundtable follows the conversation again and speaks English (asked by Ana).');
    expect(await app.store.load(sessionId)).toMatchObject({ language: 'en', languageOverride: '' });
  });

  it('asks the panel for the language /lang chose, over the people’s', async () => {
    await app.runCommand({ name: 'lang', options: { code: 'fr' }, person, address, sessionId });
    await say('What would a student pay for it, in the end?');
    expect(askedLanguage(personaPrompts().at(-1))).toBe('French');
  });

  it('starts in the language asked for (the terminal’s --lang), whatever the topic', async () => {
    const started = await app.roundtable.start({ address: { ...address, thread: 'lang-flag' }, person, topic: 'A felt lamp for student dorms', rounds: 0, language: 'zh' });
    await idle(started.sessionId, 'the opening');
    expect(started.language).toBe('zh');
    expect(moderatorPosts(started.sessionId)[0]).toMatch(/^\*\*圆桌讨论：A felt lamp for student dorms\*\*/);
    expect(await app.store.load(started.sessionId)).toMatchObject({ language: 'zh', languageOverride: 'zh' });
    await expect(app.roundtable.start({ address: { ...address, thread: 'bad-flag' }, person, topic: 'A lamp', language: 'klingon' })).rejects.toThrow(/language klingon/);
  });
});
