/**
 * The bad-input corpus for the core: each case is what a person (or a model) might send, with
 * the answer they should get. None may crash the process, ping anyone or lose the session.
 * Platform-specific cases (forged and replayed Slack requests, Events API retries, `@everyone`
 * and `<!channel>` in model output) live with the adapters' emulator tests.
 */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { roundtableReply } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import type { RunningApp } from '../../src/app/start-app.ts';
import type { Person } from '../../src/adapter/inbound-event.ts';
import { describeForPerson } from '../../src/engine/describe-error.ts';
import { asTableRoundError } from '../../src/errors.ts';

const starter: Person = { id: 'starter', displayName: 'Sam' };
const stranger: Person = { id: 'stranger', displayName: 'Eve' };
const address = { platform: 'terminal' as const, channel: 'bad', thread: 'input' };
const folder = mkdtempSync(join(tmpdir(), 'tr-bad-'));
let fake: FakeOpenAI;
let app: RunningApp & { prefix: string };
const adapter = new RecordingAdapter();
let sessionId: string;

beforeAll(async () => {
  fake = await startFakeOpenAI({ chat: roundtableReply });
  app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { AUTO_ROUNDS: 0, USER_COMMANDS_PER_MINUTE: 0 } });
  ({ sessionId } = await app.roundtable.start({ address, person: starter, topic: 'Bad input' }));
  await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'introductions');
});

afterAll(async () => {
  await app.stop();
  await fake.close();
  await cleanupRedis(app.prefix);
});

const run = (name: string, options: Record<string, unknown>, person: Person = starter, where: string | undefined = sessionId) =>
  app.runCommand({ name, options, person, address, sessionId: where });
const submitText = async (text: string, person: Person = starter) => {
  try {
    return (await app.roundtable.submit(sessionId, person, { type: 'message', text, images: [] })).notice ?? '';
  } catch (error) {
    return describeForPerson(asTableRoundError(error));
  }
};

describe('bad-input corpus (core)', () => {
  const cases: [string, () => Promise<string>, RegExp][] = [
    ['a topic past 500 characters', async () => (await run('start', { topic: 'x'.repeat(501) }, starter, undefined)).text, /Invalid start options — topic: at most 500 characters/],
    ['an empty topic', async () => (await run('start', { topic: '   ' }, starter, undefined)).text, /topic: give a topic/],
    ['rounds past the limit', async () => (await run('start', { topic: 'ok', rounds: 21 }, starter, undefined)).text, /rounds: .*(20|less than or equal)/i],
    ['rounds that are not a number', async () => (await run('start', { topic: 'ok', rounds: 'many' }, starter, undefined)).text, /rounds:/],
    ['rounds within the option limit but past MAX_ROUNDS', async () => (await run('start', { topic: 'ok', rounds: 9 }, starter, undefined)).text, /Rounds must be a whole number from 0 to 5/],
    ['an unknown panel', async () => (await run('start', { topic: 'ok', panel: 'pirates' }, starter, undefined)).text, /There is no panel “pirates”. Panels: design-workshop, product-strategy\./],
    ['a command outside a session', async () => (await app.runCommand({ name: 'vote', options: {}, person: stranger, address: { ...address, thread: 'elsewhere', channel: 'other' }, sessionId: undefined })).text, /works inside a roundtable thread/],
    ['an unknown command', async () => (await run('launch', {})).text, /Unknown command “launch”/],
    ['/end by a stranger', async () => (await run('end', {}, stranger)).text, /Only the person who started this roundtable or a manager can use end/],
    ['/vote close by a stranger', async () => (await run('vote', { action: 'close' }, stranger)).text, /Only the person who started this roundtable or a manager/],
    ['a vote action that does not exist', async () => (await run('vote', { action: 'delete' })).text, /Invalid vote options — action/],
    ['an /imagine prompt past 600 characters', async () => (await run('imagine', { prompt: 'y'.repeat(601) })).text, /prompt: at most 600 characters/],
    ['a ballot that is not numbers', async () => (await run('ballot', { choices: 'red; DROP' })).text, /choices: numbers separated by spaces/],
    ['a 20,000-character message', () => submitText('字'.repeat(20_000)), /Only the first 4000 characters of your message were used/],
  ];
  for (const [name, act, expected] of cases) {
    it(`answers ${name}`, async () => {
      expect(await act()).toMatch(expected);
    });
  }

  it('strips zero-width and bidi control characters from what people write', async () => {
    await submitText('he\u200bllo \u202Eevil\u202C @everyone');
    await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'the message');
    const transcript = await app.store.transcript(sessionId);
    expect(transcript.map((entry) => entry.text)).toContain('hello evil @everyone');
    expect(transcript.find((entry) => entry.kind === 'person' && entry.text.startsWith('字'))?.text).toHaveLength(4_000);
  });

  it('answers ballots out of range and too many choices while a poll is open', async () => {
    await run('vote', {});
    await waitFor(async () => (await app.roundtable.status(sessionId))?.poll?.status === 'open' && !(await app.roundtable.isBusy(sessionId)), 'the poll');
    expect((await run('ballot', { choices: '99' })).text).toMatch(/Choose candidates by number, from 1 to \d+/);
    expect((await run('ballot', { choices: '1 2 3 4' })).text).toMatch(/You may choose up to 3 candidates/);
    expect((await run('ballot', { choices: '1 2' })).text).toMatch(/Your ballot: /);
  });

  it('refuses an SVG with a script and a file that lies about its type, with specific messages', async () => {
    writeFileSync(join(folder, 'evil.svg'), '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    writeFileSync(join(folder, 'photo.png'), Buffer.from('%PDF-1.4 not a png'));
    for (const name of ['evil.svg', 'photo.png']) {
      await app.roundtable.submit(sessionId, starter, { type: 'message', text: '', images: [{ kind: 'path', location: join(folder, name), filename: name }] });
    }
    await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'the refusals');
    const texts = adapter.postsOf(sessionId).map((post) => post.text);
    expect(texts.some((text) => /SVG drawing, which can carry scripts/.test(text))).toBe(true);
    expect(texts.some((text) => /Sam: .*(PDF|not an image|not a supported)/i.test(text))).toBe(true);
  });

  it('keeps the session usable after all of it', async () => {
    const status = await app.roundtable.status(sessionId);
    expect(status?.ended).toBe(false);
    expect((await run('end', {})).text).toMatch(/Ending the roundtable/);
    await waitFor(async () => (await app.roundtable.status(sessionId))?.ended === true, 'the end');
    expect(await submitText('after the end')).toMatch(/This roundtable has ended/);
  });
});

describe('budgets and rate limits', () => {
  it('tells a person who sends too fast, and a session that spent its budget', async () => {
    const limited = await startTestApp({ modelUrl: fake.url, adapters: [new RecordingAdapter()], env: { AUTO_ROUNDS: 0, USER_COMMANDS_PER_MINUTE: 3, SESSION_TOKEN_BUDGET: 1 } });
    try {
      const person = { id: 'fast', displayName: 'Fast' };
      const { sessionId: id } = await limited.roundtable.start({ address: { ...address, thread: 'fast' }, person, topic: 'Limits' });
      await waitFor(async () => !(await limited.roundtable.isBusy(id)), 'introductions');
      const answers: string[] = [];
      for (let index = 0; index < 3; index++) {
        answers.push(await limited.roundtable.submit(id, person, { type: 'command', name: 'vote', options: { action: 'close' } }).then(() => 'ok', (error: unknown) => describeForPerson(asTableRoundError(error))));
      }
      expect(answers.slice(0, 2)).toEqual(['ok', 'ok']);
      expect(answers[2]).toMatch(/faster than 3 messages or commands a minute; try again in \d+ s/);
      const other = { id: 'other', displayName: 'Other' };
      const spent = await limited.roundtable.submit(id, other, { type: 'message', text: 'more please', images: [] }).catch((error: unknown) => describeForPerson(asTableRoundError(error)));
      expect(spent).toMatch(/used its token budget .* `\/vote close` and `\/end` still work/);
    } finally {
      await limited.stop();
      await cleanupRedis(limited.prefix);
    }
  });
});
