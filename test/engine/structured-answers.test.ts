/**
 * Structured answers from weak models, through the real pipeline (real Redis, BullMQ, openai SDK)
 * against the fake OpenAI-compatible server: ballots and keywords in the shapes small models give
 * are repaired and counted; an answer with nothing valid gets one corrective retry that names the
 * valid numbers; a panel that never gives a usable ballot gets ONE notice naming everyone, and the
 * vote still closes on people's ballots; a loose closing summary is still posted.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type ChatReply, type RecordedRequest } from '../fake-openai/fake-openai-server.ts';
import { chatBody, roundtableReply, speakerOf } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import { structuredOutcomeCounts } from '../../src/engine/structured-outcome.ts';

const personas = ['Bayar (巴雅尔)', 'Ayigul (阿依古丽)', 'Li Zhiqiang (李志强)', 'Zhang Xiaoya (张小雅)', 'Lin Siyu (林思雨)', 'Wang Xiaomeng (王晓萌)'];
const person = { id: 'u', displayName: 'Ana' };

const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) await cleanupRedis(prefix);
});

interface SentBody {
  response_format?: { json_schema?: { name?: string; strict?: boolean; schema?: { properties?: { choices?: { items?: { enum?: number[] } } } } } };
  messages: { role: string; content: unknown }[];
}
const sent = (request: RecordedRequest) => request.body as SentBody;
const structuredName = (request: RecordedRequest) => sent(request).response_format?.json_schema?.name;
const lastMessage = (request: RecordedRequest) => sent(request).messages.at(-1);
const isCorrection = (request: RecordedRequest) => lastMessage(request)?.role === 'user' && String(lastMessage(request)?.content).startsWith('That was not valid');

async function startSession(chat: (request: RecordedRequest) => ChatReply, thread: string, env: Record<string, string | number> = {}) {
  const fake = await startFakeOpenAI({ chat });
  const adapter = new RecordingAdapter();
  const app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { AUTO_ROUNDS: 0, ...env } });
  prefixes.push(app.prefix);
  const { sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread }, person, topic: 'A felt lamp for student dorms' });
  const idle = (what: string) => waitFor(async () => !(await app.roundtable.isBusy(sessionId)), what, 60_000);
  await idle('the introductions');
  const command = async (name: string, options: Record<string, unknown> = {}) => {
    await app.roundtable.submit(sessionId, person, { type: 'command', name, options });
    await idle(`/${name}`);
  };
  const stop = async () => {
    await app.stop();
    await fake.close();
  };
  return { fake, adapter, app, sessionId, command, stop, posts: () => adapter.postsOf(sessionId) };
}

describe('ballots from a weak model', () => {
  it('counts ≥ 95 % of persona ballots given out of range, by text, with prose, as a bare list or as strings', async () => {
    // Candidates (roundtableReply's keywords): 1 felt, 2 Red wool, 3 lamp shade, 4 pattern, 5 warm light, 6…11 "<name> idea".
    const weakBallots: ChatReply[] = [
      { kind: 'json', value: { choices: [0, 2, 14, 99] } },
      { kind: 'json', value: { choices: ['lamp shade', 'Felt'] } },
      { kind: 'text', text: '{"choices": [1, 3], "reason": "warmth first"}\nI think these matter most for students.' },
      { kind: 'json', value: [2, 4] },
      { kind: 'json', value: { choices: ['1', '3'] } },
      { kind: 'json', value: '1. felt, 4. pattern' },
      { kind: 'json', value: { votes: [{ choice: 5 }] } },
    ];
    let ballotCount = 0;
    const session = await startSession((request) => (structuredName(request) === 'ballot' ? weakBallots[ballotCount++ % weakBallots.length]! : roundtableReply(request)), 'weak-ballots', { MODEL_JSON_STRICT: 'true' });
    const polls = 3;
    for (let poll = 0; poll < polls; poll++) {
      await session.command('vote', { action: 'open' });
      await session.command('vote', { action: 'close' });
    }
    const ballotRequests = session.fake.chatRequests().filter((request) => structuredName(request) === 'ballot');
    // The schema sent is the poll's: exactly its candidate numbers, as an enum, in strict mode.
    expect(sent(ballotRequests[0]!).response_format?.json_schema?.strict).toBe(true);
    expect(sent(ballotRequests[0]!).response_format?.json_schema?.schema?.properties?.choices?.items?.enum).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);

    const total = personas.length * polls;
    const counts = structuredOutcomeCounts(await session.app.store.notes(session.sessionId)).ballot!;
    expect(counts.accepted + counts.repaired + counts.retried + counts.skipped).toBe(total);
    expect((counts.accepted + counts.repaired) / total).toBeGreaterThanOrEqual(0.95);
    expect(counts.repaired).toBeGreaterThan(counts.accepted);
    const metric = await session.app.metrics.structuredOutcomes.get();
    const metricTotal = (outcome: string) => metric.values.find((value) => value.labels.name === 'ballot' && value.labels.outcome === outcome)?.value ?? 0;
    expect(metricTotal('accepted') + metricTotal('repaired')).toBe(counts.accepted + counts.repaired);

    const posts = session.posts();
    expect(posts.filter((post) => post.speaker !== 'moderator' && post.text.startsWith('🗳️'))).toHaveLength(total);
    expect(posts.some((post) => post.text.startsWith('⚠️'))).toBe(false);
    // What the text answers meant is what was counted.
    expect(posts.some((post) => post.text.startsWith('🗳️ lamp shade, felt'))).toBe(true);
    expect(posts.some((post) => post.text.startsWith('🗳️ felt, pattern'))).toBe(true);
    expect(posts.some((post) => post.text.startsWith('🗳️ Red wool —') || post.text === '🗳️ Red wool')).toBe(true);
    await session.stop();
  });

  it('gives an answer with nothing valid one corrective retry that names the valid numbers', async () => {
    let first = true;
    const session = await startSession((request) => {
      if (structuredName(request) !== 'ballot') return roundtableReply(request);
      if (isCorrection(request)) return { kind: 'json', value: { choices: [2], reason: 'fixed' } };
      if (first) {
        first = false;
        return { kind: 'json', value: [0, 14, 99] };
      }
      return { kind: 'json', value: { choices: [1, 2, 4], reason: 'fine' } };
    }, 'retry-ballot');
    await session.command('vote', { action: 'open' });
    const corrections = session.fake.chatRequests().filter(isCorrection);
    expect(corrections).toHaveLength(1);
    expect(String(lastMessage(corrections[0]!)?.content)).toContain('1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11');
    const counts = structuredOutcomeCounts(await session.app.store.notes(session.sessionId)).ballot!;
    expect(counts).toEqual({ accepted: 5, repaired: 0, retried: 1, skipped: 0 });
    expect(session.posts().filter((post) => post.text.startsWith('🗳️'))).toHaveLength(6);
    await session.stop();
  });

  it('a panel that never gives a usable ballot: one notice naming all of it, and the vote closes on people’s ballots', async () => {
    const session = await startSession((request) => (structuredName(request) === 'ballot' ? { kind: 'json', value: { choices: [0, 14, 99] } } : roundtableReply(request)), 'useless-ballots');
    await session.command('vote', { action: 'open' });
    const poll = (await session.app.store.poll(session.sessionId))!;
    await session.app.roundtable.submit(session.sessionId, person, { type: 'ballot', choices: [0], pollId: poll.pollId });
    await session.command('vote', { action: 'close' });

    const posts = session.posts();
    const notices = posts.filter((post) => /Not counted/.test(post.text));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.speaker).toBe('moderator');
    expect(notices[0]!.text).toBe(`⚠️ Not counted: ${personas.slice(0, -1).join(', ')} and ${personas.at(-1)} gave no usable ballot.`);
    expect(posts.some((post) => /Skipped/.test(post.text))).toBe(false);
    // Each persona: the answer and the one corrective retry, nothing more.
    expect(session.fake.chatRequests().filter((request) => structuredName(request) === 'ballot')).toHaveLength(12);
    const result = posts.find((post) => post.text.startsWith('**Vote closed.**'))!;
    expect(result.text).toMatch(/^\*\*Vote closed\.\*\* 1 voters; a keyword needed 1\. Chosen: \*\*felt\*\*/);
    // Announced as soon as the last panel ballot was in, before the close.
    expect(posts.indexOf(notices[0]!)).toBeLessThan(posts.indexOf(result));
    const notes = await session.app.store.notes(session.sessionId);
    expect(structuredOutcomeCounts(notes).ballot).toEqual({ accepted: 0, repaired: 0, retried: 0, skipped: 6 });
    expect(notes[`ballot-missing-notice:${poll.pollId}`]).toBe('posted');
    await session.stop();
  });
});

describe('keywords and the closing summary from a weak model', () => {
  it('repairs keywords given as a comma string, a bare list, over-long or under another key; names nobody while the pool is enough', async () => {
    const long = 'a very long keyword phrase that rambles on about sustainable materials for student dormitories and beyond';
    const shapes: Record<string, ChatReply> = {
      [personas[0]!]: { kind: 'json', value: 'felt, red wool, lamp shade' },
      [personas[1]!]: { kind: 'json', value: ['felt', 'pattern', 'warm light'] },
      [personas[2]!]: { kind: 'json', value: { keywords: [long, ...Array.from({ length: 20 }, (_, index) => `idea ${index}`)] } },
      [personas[3]!]: { kind: 'json', value: { tags: ['felt', 'wool'] } },
      [personas[4]!]: { kind: 'text', text: '{"keywords": "1. felt\\n2. warm light"} Hope this helps!' },
      [personas[5]!]: { kind: 'json', value: { reply: 'I would rather not.' } },
    };
    let mode: 'weak' | 'silent' = 'weak';
    const session = await startSession((request) => {
      const name = structuredName(request);
      if (name === 'keywords') return mode === 'silent' ? { kind: 'json', value: { reply: 'no' } } : (shapes[speakerOf(chatBody(request))] ?? roundtableReply(request));
      if (name === 'closing_summary') return { kind: 'json', value: { summary: { decisions: '- Prototype a felt lamp\n- Test fire safety', takeaways: { Bayar: 'Respect the craft' }, mood: 'good' } } };
      return roundtableReply(request);
    }, 'weak-keywords');
    await session.command('vote', { action: 'open' });
    const notes = await session.app.store.notes(session.sessionId);
    expect(structuredOutcomeCounts(notes).keywords).toEqual({ accepted: 0, repaired: 5, retried: 0, skipped: 1 });
    expect(JSON.parse(notes['craftsman_1:keywords'] ?? 'null')).toEqual(['felt', 'red wool', 'lamp shade']);
    const poll = (await session.app.store.poll(session.sessionId))!;
    expect(poll.candidates).toEqual(expect.arrayContaining(['felt', 'warm light', 'red wool', 'lamp shade', 'pattern', 'idea 0']));
    const clipped = poll.candidates.find((label) => label.startsWith('a very long'));
    expect(clipped && long.startsWith(clipped)).toBe(true);
    expect(session.posts().some((post) => post.text.startsWith('⚠️'))).toBe(false);
    await session.command('vote', { action: 'close' });

    // With nobody giving usable keywords, the empty-pool notice names them all.
    mode = 'silent';
    await session.command('vote', { action: 'open' });
    const empty = session.posts().find((post) => post.text.startsWith('Not enough keywords'));
    expect(empty?.text).toContain(`(No usable keywords from ${personas.slice(0, -1).join(', ')} and ${personas.at(-1)}.)`);

    await session.command('end');
    const summary = session.posts().find((post) => post.text.startsWith('**Closing summary**'));
    expect(summary?.text).toContain('**Decisions**\n- Prototype a felt lamp\n- Test fire safety');
    expect(summary?.text).toContain('- Bayar: Respect the craft');
    expect(structuredOutcomeCounts(await session.app.store.notes(session.sessionId)).closing_summary).toEqual({ accepted: 0, repaired: 1, retried: 0, skipped: 0 });
    await session.stop();
  });
});
