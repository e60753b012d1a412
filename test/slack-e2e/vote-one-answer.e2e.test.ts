/**
 * One answer per command: `vote close` with no vote open, and `vote` with one open already, are
 * refused at once with one short answer to the person — never "Closing the vote…" followed by a
 * public "There is no open vote to close." in the thread. Real Bolt, the Slack emulator.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startE2E, type E2EHarness } from './slack-e2e-harness.ts';
import { ballotActionPrefix } from '../../adapters/slack/poll-blocks.ts';

let harness: E2EHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('Slack: /vote answers once', () => {
  it('refuses a close with nothing to close and a second vote, once each, and says nothing in the thread', async () => {
    harness = await startE2E();
    const { emulator, settled } = harness;
    const channel = emulator.addChannel('one-answer');
    const ada = emulator.addUser('ada');
    const mention = await emulator.userMentions(ada, channel.id, 'A kettle for the elderly');
    const sessionId = harness.sessionIdFor(channel.id, mention.ts);
    await emulator.waitFor(() => emulator.thread(channel.id, mention.ts).length > 1, { timeoutMs: 20_000, message: 'the session' });
    await settled(sessionId);
    const thread = () => emulator.thread(channel.id, mention.ts);
    const botText = () => thread().filter((message) => message.botId).map((message) => message.text);

    /** What the person is told in answer to one command: every ephemeral and thread line it causes. */
    const answersTo = async (text: string) => {
      const ephemeralsBefore = emulator.ephemeralsFor(ada.id).length;
      const postsBefore = botText().length;
      await emulator.userMentions(ada, channel.id, text, { threadTs: mention.ts });
      await emulator.waitFor(() => emulator.ephemeralsFor(ada.id).length > ephemeralsBefore, { timeoutMs: 10_000, message: `an answer to ${text}` });
      // Anything the request would cause once it reaches the session has had its time.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await settled(sessionId);
      return { ephemerals: emulator.ephemeralsFor(ada.id).slice(ephemeralsBefore).map((ephemeral) => ephemeral.text), posts: botText().slice(postsBefore) };
    };

    expect(await answersTo('vote close')).toEqual({ ephemerals: ['There is no open vote to close.'], posts: [] });

    await emulator.userMentions(ada, channel.id, 'vote', { threadTs: mention.ts });
    await emulator.waitFor(() => thread().find((message) => JSON.stringify(message.blocks ?? []).includes(`${ballotActionPrefix}0`)), { timeoutMs: 20_000, message: 'the poll' });
    await settled(sessionId);

    expect(await answersTo('vote')).toEqual({ ephemerals: ['A vote is already open or being prepared.'], posts: [] });

    // A close with a vote open is answered once too, and the result follows in the thread.
    const closed = await answersTo('vote close');
    expect(closed.ephemerals).toEqual(['Closing the vote…']);
    expect(closed.posts.some((post) => /Vote closed/.test(post))).toBe(true);
    expect(closed.posts.some((post) => /no open vote/i.test(post))).toBe(false);
  });
});
