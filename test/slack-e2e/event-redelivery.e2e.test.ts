/**
 * A Redis blip while an event is being written never turns Slack's redelivery of it into a
 * "duplicate": a person's message whose inbox write failed is taken when Slack sends the event
 * again, and only once however often it comes; a mention whose session could not be created
 * starts the session when it comes again. Real Bolt, the Slack emulator, real Redis.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startE2E, until, type E2EHarness } from './slack-e2e-harness.ts';
import { failScriptOnce } from '../harness/fail-script-once.ts';
import { createScript } from '../../src/store/session-scripts.ts';

let harness: E2EHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

const unreachable = /memory store is unreachable/;

describe('Slack: an event whose write failed is taken when Slack delivers it again', () => {
  it('a message to the panel: its inbox push fails once, the redelivery is taken, once', async () => {
    harness = await startE2E();
    const { emulator, app, settled } = harness;
    const channel = emulator.addChannel('blip');
    const ada = emulator.addUser('ada');
    const mention = await emulator.userMentions(ada, channel.id, 'A kettle for the elderly');
    const sessionId = harness.sessionIdFor(channel.id, mention.ts);
    await emulator.waitFor(() => emulator.thread(channel.id, mention.ts).length > 1, { timeoutMs: 20_000, message: 'the session' });
    await settled(sessionId);

    const inbox = app.store.key('inbox', sessionId);
    const fault = failScriptOnce(app.store.redis, (keys) => keys.includes(inbox));
    try {
      const reply = await emulator.userReplies(ada, channel.id, mention.ts, 'What about a whistle for people who cannot hear well?');
      await emulator.waitFor(() => fault.injected && emulator.ephemeralsFor(ada.id).some((ephemeral) => unreachable.test(ephemeral.text)), { timeoutMs: 10_000, message: 'the refused write' });
      const eventId = reply.deliveries.find((delivery) => delivery.kind === 'event')?.eventId;
      expect(eventId).toBeDefined();

      // Slack delivers it again (its ack was lost), and once more after that.
      expect((await emulator.sender.redeliver(eventId!, 1)).status).toBe(200);
      await emulator.waitFor(() => emulator.thread(channel.id, mention.ts).some((message) => message.username && Number(message.ts) > Number(reply.ts)), { timeoutMs: 20_000, message: 'a persona answer' });
      await settled(sessionId);
      expect((await emulator.sender.redeliver(eventId!, 2)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await settled(sessionId);
    } finally {
      fault.restore();
    }
    const said = (await app.store.transcript(sessionId)).filter((entry) => entry.kind === 'person' && entry.text.includes('a whistle'));
    expect(said).toHaveLength(1);
  });

  it('a mention that starts a session: its create fails once, the redelivery starts it, once', async () => {
    harness = await startE2E();
    const { emulator, app, settled } = harness;
    const channel = emulator.addChannel('blip-start');
    const ada = emulator.addUser('ada');
    const fault = failScriptOnce(app.store.redis, (_keys, sha) => sha === createScript.sha);
    try {
      const mention = await emulator.userMentions(ada, channel.id, 'A lamp for reading in bed');
      const sessionId = harness.sessionIdFor(channel.id, mention.ts);
      await emulator.waitFor(() => fault.injected && emulator.ephemeralsFor(ada.id).some((ephemeral) => unreachable.test(ephemeral.text)), { timeoutMs: 10_000, message: 'the refused start' });
      expect(await app.roundtable.status(sessionId)).toBeUndefined();

      // Slack delivers the mention's events again (app_mention and message alike).
      const eventIds = mention.deliveries.flatMap((delivery) => (delivery.eventId ? [delivery.eventId] : []));
      expect(eventIds.length).toBeGreaterThan(0);
      for (const eventId of eventIds) expect((await emulator.sender.redeliver(eventId, 1)).status).toBe(200);
      await until(() => app.roundtable.status(sessionId), 'the session');
      await settled(sessionId);
      const moderatorPosts = () => emulator.thread(channel.id, mention.ts).filter((message) => message.botId && !message.username).length;
      const posted = moderatorPosts();
      expect(posted).toBeGreaterThan(0);

      // And once more: nothing more happens.
      for (const eventId of eventIds) await emulator.sender.redeliver(eventId, 2);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await settled(sessionId);
      expect(moderatorPosts()).toBe(posted);
      expect(emulator.ephemeralsFor(ada.id).filter((ephemeral) => /already running/.test(ephemeral.text))).toEqual([]);
    } finally {
      fault.restore();
    }
  });
});
