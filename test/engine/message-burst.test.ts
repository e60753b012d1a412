/**
 * A burst: ten messages from three people arrive while a persona is writing. The next turn
 * answers all of them — its prompt (as the fake model received it) holds each message, in order,
 * with its author — and it is the only answering turn: not one reply per message, nothing dropped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI, type RecordedRequest } from '../fake-openai/fake-openai-server.ts';
import { chatBody, messageText, roundtableReply } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import type { RunningApp } from '../../src/app/start-app.ts';

/** A reply to people (turn-reply.md), not a round turn or an introduction. */
const isReply = (request: RecordedRequest) => /a person in the thread has just written to the table/.test(messageText(chatBody(request)));

let fake: FakeOpenAI;
let app: RunningApp & { prefix: string };
const adapter = new RecordingAdapter();
const people = [
  { id: 'u1', displayName: 'Ana' },
  { id: 'u2', displayName: 'Bo' },
  { id: 'u3', displayName: 'Cy' },
];
let sessionId: string;

beforeAll(async () => {
  fake = await startFakeOpenAI({
    chat: (request) => {
      const reply = roundtableReply(request);
      // Replies take a few seconds to write: the burst lands while one is being written.
      return reply.kind === 'text' && isReply(request) ? { ...reply, text: `${reply.text} Let me think that through with you.`, chunkSize: 3, chunkDelayMs: 120 } : reply;
    },
  });
  app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { AUTO_ROUNDS: 0 } });
  ({ sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'burst' }, person: people[0]!, topic: 'A felt lamp for student dorms' }));
  await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'the introductions', 60_000);
});

afterAll(async () => {
  await app?.stop();
  await fake?.close();
  if (app) await cleanupRedis(app.prefix);
});

describe('a burst of messages during a turn', () => {
  it('is answered by the next turn, all ten in its prompt, in order, with their authors', async () => {
    await app.roundtable.submit(sessionId, people[0]!, { type: 'message', text: 'Could someone start us off?', images: [] });
    await waitFor(() => fake.chatRequests().filter(isReply).length === 1, 'the first reply to be written');
    const [first] = fake.chatRequests().filter(isReply);
    const burst = Array.from({ length: 10 }, (_, index) => ({ person: people[index % 3]!, text: `Burst note ${index + 1}: thought number ${index + 1} on the lamp.` }));
    for (const { person, text } of burst) await app.roundtable.submit(sessionId, person, { type: 'message', text, images: [] });
    // The burst arrived while the first reply was still being written.
    expect(first!.closedAt).toBeUndefined();

    await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'the panel to answer', 60_000);
    const replies = fake.chatRequests().filter(isReply);
    expect(replies).toHaveLength(2);
    expect(messageText(chatBody(replies[0]!))).not.toContain('Burst note');
    const prompt = messageText(chatBody(replies[1]!));
    const positions = burst.map(({ person, text }) => prompt.indexOf(`[${person.displayName} (a person in the thread)] ${text}`));
    for (const position of positions) expect(position).toBeGreaterThan(-1);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);

    const personaPosts = adapter.postsOf(sessionId).filter((post) => post.speaker !== 'moderator');
    expect(personaPosts).toHaveLength(6 + 2);
    const transcript = await app.store.transcript(sessionId);
    expect(transcript.filter((entry) => entry.kind === 'person').map((entry) => entry.text)).toEqual(['Could someone start us off?', ...burst.map(({ text }) => text)]);
  });
});
