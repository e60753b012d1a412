/**
 * Run control through the real pipeline (real Redis, BullMQ, the openai SDK against the fake
 * model): `/pause` stops the automatic turns while a message addressed to a persona — by its
 * name, by `addressedTo`, by `/ask` — is still answered, by that persona only; an unaddressed one
 * is recorded and answered by nobody; `/resume 1` runs one round and the pause; `/mute` leaves a
 * persona out of rounds and the vote (keywords and ballots), keeps two personas speaking, and is
 * undone by `/unmute`; `/status` names who speaks next.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI, type RecordedRequest } from '../fake-openai/fake-openai-server.ts';
import { chatBody, messageText, roundtableReply, speakerOf } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import type { RunningApp } from '../../src/app/start-app.ts';

const panel = ['Bayar (巴雅尔)', 'Ayigul (阿依古丽)', 'Li Zhiqiang (李志强)', 'Zhang Xiaoya (张小雅)', 'Lin Siyu (林思雨)', 'Wang Xiaomeng (王晓萌)'];
const isRoundTurn = (request: RecordedRequest) => /It is round \d+ of the discussion/.test(messageText(chatBody(request)));
const schemaOf = (request: RecordedRequest) => chatBody(request).response_format?.json_schema?.name;

let fake: FakeOpenAI;
let app: RunningApp & { prefix: string };
const adapter = new RecordingAdapter();
const starter = { id: 'u1', displayName: 'Ana' };
const address = { platform: 'terminal' as const, channel: 'c', thread: 'run-control' };
let sessionId: string;

const idle = (what: string) => waitFor(async () => !(await app.roundtable.isBusy(sessionId)), what, 60_000);
const command = (name: string, options: Record<string, unknown> = {}, person = starter) => app.runCommand({ name, options, person, address, sessionId });
const say = async (text: string, extra: { addressedTo?: string } = {}) => {
  await app.roundtable.submit(sessionId, starter, { type: 'message', text, images: [], ...extra });
  await idle(`the answer to “${text}”`);
};
/** What the panel says from now on: persona posts by speaker, moderator lines, and the model calls. */
const watch = () => {
  const posts = adapter.postsOf(sessionId).length;
  const requests = fake.chatRequests().length;
  return {
    personaPosts: () => adapter.postsOf(sessionId).slice(posts).filter((post) => post.speaker !== 'moderator'),
    moderatorPosts: () => adapter.postsOf(sessionId).slice(posts).filter((post) => post.speaker === 'moderator').map((post) => post.text),
    requests: () => fake.chatRequests().slice(requests),
  };
};

beforeAll(async () => {
  fake = await startFakeOpenAI({ chat: roundtableReply });
  app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { AUTO_ROUNDS: 2 } });
  ({ sessionId } = await app.roundtable.start({ address, person: starter, topic: 'A felt lamp for student dorms', rounds: 2 }));
  // Paused while the panel introduces itself: the two planned rounds never start.
  expect((await command('pause')).text).toBe('Pausing the panel…');
  await idle('the introductions');
});

afterAll(async () => {
  await app?.stop();
  await fake?.close();
  if (app) await cleanupRedis(app.prefix);
});

describe('/pause', () => {
  it('drops the automatic turns and says so', async () => {
    expect(fake.chatRequests().filter(isRoundTurn)).toEqual([]);
    const meta = await app.store.load(sessionId);
    expect(meta?.paused).toBe(true);
    expect(adapter.postsOf(sessionId).filter((post) => post.speaker !== 'moderator')).toHaveLength(6);
    expect(adapter.postsOf(sessionId).some((post) => post.text.startsWith('⏸ Ana paused the panel: no more automatic turns.'))).toBe(true);
    const status = await command('status');
    expect(status.text).toContain('Paused: no automatic turns until resumed.');
    expect(status.text).toContain('Next: nobody is planned');
  });

  it('records a message addressed to no one without a reply', async () => {
    const seen = watch();
    await say('I wonder what everyone thinks of wool.');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(seen.personaPosts()).toEqual([]);
    expect(seen.requests()).toEqual([]);
    expect((await app.store.transcript(sessionId)).at(-1)).toMatchObject({ kind: 'person', text: 'I wonder what everyone thinks of wool.' });
  });

  it('answers a message that starts with a persona’s name, by that persona only', async () => {
    const seen = watch();
    await say('Li, what would it cost to make?');
    expect(seen.personaPosts().map((post) => post.speaker)).toEqual(['Li Zhiqiang (李志强)']);
    expect(seen.requests().map((request) => speakerOf(chatBody(request)))).toEqual(['Li Zhiqiang (李志强)']);
    expect(messageText(chatBody(seen.requests()[0]!))).toContain('[Ana (a person in the thread)] Li, what would it cost to make?');
  });

  it('answers a message addressed to a persona (a reply or a button), by that persona only', async () => {
    const seen = watch();
    await say('Which colours would you pick?', { addressedTo: 'designer_1' });
    expect(seen.personaPosts().map((post) => post.speaker)).toEqual(['Lin Siyu (林思雨)']);
  });

  it('/ask: that persona answers next; an unknown name gets the list of names', async () => {
    const unknown = await command('ask', { persona: 'Nobody', text: 'hello?' });
    expect(unknown.text).toBe(`There is no persona “Nobody” on this panel. The panel: ${panel.join(', ')}.`);
    const seen = watch();
    const asked = await command('ask', { persona: 'Zhang', text: 'Xiaoya would you buy it?' });
    // A name of several words may run into the question; the longest name wins.
    expect(asked).toMatchObject({ text: 'Ana asks Zhang Xiaoya (张小雅): would you buy it?', visibility: 'thread' });
    await idle('the asked persona');
    expect(seen.personaPosts().map((post) => post.speaker)).toEqual(['Zhang Xiaoya (张小雅)']);
    // No automatic turn ran meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(fake.chatRequests().filter(isRoundTurn)).toEqual([]);
  });
});

describe('/resume', () => {
  it('/resume 1 runs one round, announced with its speakers, then the pause', async () => {
    const seen = watch();
    expect((await command('resume', { rounds: '1' })).text).toBe('Resuming: 1 round(s)…');
    await idle('one round');
    expect(seen.requests().filter(isRoundTurn).map((request) => speakerOf(chatBody(request)))).toEqual(panel);
    expect(seen.moderatorPosts()[0]).toBe(`**Round 1** — speaking in turn: ${panel.join(', ')}.`);
    expect(seen.moderatorPosts().at(-1)).toMatch(/^\*\*Pause\.\*\* /);
    const meta = await app.store.load(sessionId);
    expect(meta?.paused).toBe(false);
    expect(meta?.round).toBe(1);
    expect((await command('resume', { rounds: '9' })).text).toBe('Rounds must be a whole number from 1 to 5.');
  });

  it('is for the starter or a manager', async () => {
    expect((await command('resume', {}, { id: 'u2', displayName: 'Bo' })).text).toMatch(/^Only the person who started this roundtable or .+ can use resume\.$/);
    expect((await command('pause', {}, { id: 'u2', displayName: 'Bo' })).text).toMatch(/can use pause\.$/);
  });
});

describe('/mute and /unmute', () => {
  it('leaves a muted persona out of rounds and says it is muted when asked directly', async () => {
    const bo = { id: 'u2', displayName: 'Bo' };
    expect((await command('mute', { persona: 'Bayar' }, bo)).text).toBe('Muting Bayar (巴雅尔)…');
    await idle('the mute');
    expect((await command('mute', { persona: 'bayar' })).text).toBe('Bayar (巴雅尔) is already muted.');
    expect((await command('ask', { persona: 'Bayar', text: 'are you there?' })).text).toBe('Bayar (巴雅尔) is muted and will not answer until someone unmutes them.');
    const seen = watch();
    await say('Bayar, are you there?');
    expect(seen.personaPosts()).toEqual([]);
    expect(seen.moderatorPosts()).toEqual(['Bayar (巴雅尔) is muted and will not answer; `/unmute <persona>` brings them back.']);
    expect(adapter.postsOf(sessionId).some((post) => post.text === '🔇 Bayar (巴雅尔) is muted (by Bo): left out of rounds, replies and votes. `/unmute <persona>` brings them back.')).toBe(true);

    const round = watch();
    await command('resume', { rounds: '1' });
    await idle('a round without Bayar');
    expect(round.requests().filter(isRoundTurn).map((request) => speakerOf(chatBody(request)))).toEqual(panel.slice(1));
    expect(round.moderatorPosts()[0]).toBe(`**Round 2** — speaking in turn: ${panel.slice(1).join(', ')}.`);
    expect((await command('status')).text).toContain('Muted: Bayar (巴雅尔)');
  });

  it('keeps at least two personas speaking', async () => {
    for (const name of ['Ayigul', 'Li', 'Zhang']) expect((await command('mute', { persona: name })).text).toMatch(/^Muting /);
    await idle('three more mutes');
    expect((await command('mute', { persona: 'Lin' })).text).toBe('At least two personas must keep speaking, so Lin Siyu (林思雨) cannot be muted.');
    expect((await app.store.load(sessionId))?.muted).toEqual(['craftsman_1', 'consumer_1', 'manufacturer_1', 'consumer_2']);
    for (const name of ['Ayigul', 'Li', 'Zhang']) await command('unmute', { persona: name });
    await idle('three unmutes');
    expect((await command('unmute', { persona: 'Li Zhiqiang' })).text).toBe('Li Zhiqiang (李志强) is not muted.');
  });

  it('a vote asks no keywords nor ballot of a muted persona', async () => {
    const seen = watch();
    await command('vote');
    await idle('the keywords and the panel’s ballots');
    const keywords = seen.requests().filter((request) => schemaOf(request) === 'keywords').map((request) => speakerOf(chatBody(request)));
    const ballots = seen.requests().filter((request) => schemaOf(request) === 'ballot').map((request) => speakerOf(chatBody(request)));
    expect(keywords).toEqual(panel.slice(1));
    expect(ballots).toEqual(panel.slice(1));
    expect(seen.personaPosts().filter((post) => post.text.startsWith('🗳️')).map((post) => post.speaker)).toEqual(panel.slice(1));
    // Every speaking panelist voted: no "not counted" notice for the muted one.
    expect(seen.moderatorPosts().join('\n')).not.toContain('Not counted');
    await command('vote', { action: 'close' });
    await idle('the vote result');
  });

  it('/unmute brings the persona back into rounds', async () => {
    expect((await command('unmute', { persona: 'Bayar' })).text).toBe('Unmuting Bayar (巴雅尔)…');
    await idle('the unmute');
    expect(adapter.postsOf(sessionId).at(-1)?.text).toBe('🔊 Bayar (巴雅尔) is back in the discussion (unmuted by Ana).');
    const seen = watch();
    await command('resume', { rounds: '1' });
    await idle('a round with Bayar');
    expect(seen.requests().filter(isRoundTurn).map((request) => speakerOf(chatBody(request)))).toEqual(panel);
  });
});
