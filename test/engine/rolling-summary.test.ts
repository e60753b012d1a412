/**
 * Long discussions: older turns are folded into a rolling summary by the summary model, prompts
 * stay bounded, and between folds a session's prompts only grow at the end (cache-friendly).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { chatBody, messageText, roundtableReply } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';

const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) await cleanupRedis(prefix);
});

describe('rolling summary', () => {
  it('folds older turns, keeps prompts bounded and append-only between folds', async () => {
    const fake = await startFakeOpenAI({
      chat: (request) => (/Fold the older part/.test(messageText(chatBody(request))) ? { kind: 'text', text: 'EARLIER: everyone liked felt.' } : roundtableReply(request)),
    });
    const adapter = new RecordingAdapter();
    const app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { AUTO_ROUNDS: 4, CONTEXT_RECENT_TURNS: 4, DEFAULT_PANEL: 'product-strategy' } });
    prefixes.push(app.prefix);
    const { sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'long' }, person: { id: 'u', displayName: 'Ana' }, topic: 'A long talk' });
    await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'four rounds', 60_000);

    const requests = fake.chatRequests().map((request) => messageText(chatBody(request)));
    const folds = requests.filter((text) => /Fold the older part/.test(text));
    expect(folds.length).toBeGreaterThanOrEqual(2);
    const meta = (await app.store.load(sessionId))!;
    expect(meta.rollingSummary).toBe('EARLIER: everyone liked felt.');
    expect(meta.summarisedThrough).toBeGreaterThan(0);

    const turns = requests.filter((text) => /It is round \d of the discussion/.test(text));
    expect(turns).toHaveLength(20);
    // Bounded: never more than CONTEXT_RECENT_TURNS + 8 transcript lines in a prompt.
    for (const text of turns) {
      const window = text.slice(text.indexOf('The discussion so far'), text.indexOf('It is round'));
      expect(window.split('\n').filter((line) => line.startsWith('[')).length).toBeLessThanOrEqual(12);
    }
    expect(turns.at(-1)).toContain('Summary of the earlier discussion:\nEARLIER: everyone liked felt.');
    // Between folds the prompt only grows at the end: the next turn's prompt starts with the
    // previous one's text up to its instruction.
    let appendOnly = 0;
    for (let index = 1; index < turns.length; index++) {
      const previous = turns[index - 1]!;
      const head = previous.slice(0, previous.indexOf('\n\nSpeak now as'));
      if (turns[index]!.startsWith(head)) appendOnly++;
    }
    expect(appendOnly).toBeGreaterThanOrEqual(turns.length / 2);
    await app.stop();
    await fake.close();
  });
});
