/**
 * Slack safety and load, end to end through the real app: retries processed once, forged and
 * stale requests refused, `<!channel>` in model output neutralised, acks within 3 s while the
 * model is slow, and 20 sessions in one channel at once without a single 429.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startE2E, until, type E2EHarness } from './slack-e2e-harness.ts';

let harness: E2EHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('Slack end to end: safety', () => {
  it('processes an Events API retry once', async () => {
    harness = await startE2E();
    const { emulator, app, settled } = harness;
    const channel = emulator.addChannel('design');
    const ada = emulator.addUser('ada');
    const mention = await emulator.userMentions(ada, channel.id, 'A kettle');
    const sessionId = harness.sessionIdFor(channel.id, mention.ts);
    await settled(sessionId);
    const reply = await emulator.userReplies(ada, channel.id, mention.ts, 'Only once, please.');
    const eventId = reply.deliveries[0]?.eventId ?? '';
    const retry = await emulator.sender.redeliver(eventId, 1, 'http_timeout');
    const secondRetry = await emulator.sender.redeliver(eventId, 2, 'http_timeout');
    expect([retry.status, secondRetry.status]).toEqual([200, 200]);
    const mine = async () => (await app.store.transcript(sessionId)).filter((entry) => entry.text.includes('Only once, please.'));
    await until(async () => (await mine()).length > 0, 'the reply in the transcript');
    await emulator.waitFor(() => emulator.thread(channel.id, mention.ts).some((message) => message.username && Number(message.ts) > Number(reply.ts)), { timeoutMs: 20_000, message: 'the answer' });
    await settled(sessionId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await settled(sessionId);
    const entries = (await app.store.transcript(sessionId)).filter((entry) => entry.text.includes('Only once, please.'));
    expect(entries).toHaveLength(1);
    const answers = emulator.thread(channel.id, mention.ts).filter((message) => message.username && Number(message.ts) > Number(reply.ts));
    expect(answers).toHaveLength(1);
  });

  it('refuses a forged signature and a ten-minute-old timestamp', async () => {
    harness = await startE2E();
    const { emulator, app, fake } = harness;
    const channel = emulator.addChannel('design');
    const ada = emulator.addUser('ada');
    const event = { type: 'app_mention', user: ada.id, channel: channel.id, text: `<@${emulator.workspace.botUserId}> forged topic`, ts: '1700000000.000100', event_ts: '1700000000.000100' };
    const envelope = { type: 'event_callback', team_id: emulator.workspace.teamId, api_app_id: emulator.workspace.appId, event_id: 'EvForged0001', event_time: 1700000000, event };
    const forged = await emulator.sender.sendOnce('event', envelope, { signature: `v0=${'0'.repeat(64)}` });
    const stale = await emulator.sender.sendOnce('event', { ...envelope, event_id: 'EvStale0001' }, { timestampSeconds: Math.floor(Date.now() / 1000) - 600 });
    expect([forged.status, stale.status]).toEqual([401, 401]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await app.roundtable.status(harness.sessionIdFor(channel.id, event.ts))).toBeUndefined();
    expect(fake.chatRequests()).toHaveLength(0);
  });

  for (const native of [true, false]) {
    it(`neutralises <!channel> and other pings in model output (${native ? 'native streaming' : 'post-then-update'})`, async () => {
      harness = await startE2E({
        speech: () => 'Attention <!channel> <!here> <!everyone> <@U0000001> <!subteam^S0001|@designers> and @channel @here: **soft** handles & warm light.',
        env: { SLACK_NATIVE_STREAMING: native ? 'true' : 'false' },
        // Slow enough (~2 s) that every reply streams: a stream starts after 1.5 s of writing.
        chunk: { size: 4, delayMs: 60 },
      });
      const { emulator, settled } = harness;
      const channel = emulator.addChannel('design');
      const ada = emulator.addUser('ada');
      const mention = await emulator.userMentions(ada, channel.id, 'A kettle');
      await settled(harness.sessionIdFor(channel.id, mention.ts));
      const personaPosts = emulator.thread(channel.id, mention.ts).filter((message) => message.username);
      expect(personaPosts.length).toBeGreaterThanOrEqual(2);
      for (const message of personaPosts) {
        for (const text of message.history) {
          expect(text).not.toMatch(/<[!@#]/);
          expect(text).not.toMatch(/@(channel|here|everyone)\b/);
        }
        expect(message.text).toContain('soft');
      }
      expect(emulator.calls(native ? 'chat.startStream' : 'chat.postMessage').length).toBeGreaterThan(0);
      expect(emulator.rateLimitHits).toEqual([]);
    });
  }
});

describe('Slack end to end: timing and load', () => {
  it('acks a slash command and a mention in under 3 s while the model is slow', async () => {
    harness = await startE2E({ latencyMs: 4_000 });
    const { emulator, app } = harness;
    const channel = emulator.addChannel('design');
    const ada = emulator.addUser('ada');
    const command = await emulator.userRunsCommand(ada, channel.id, 'start A kettle that whispers');
    expect(command.status).toBe(200);
    expect(command.elapsedMs).toBeLessThan(3_000);
    const mention = await emulator.userMentions(ada, channel.id, 'Another topic');
    expect(mention.deliveries.every((delivery) => delivery.status === 200 && delivery.elapsedMs < 3_000)).toBe(true);
    let recent: string | undefined;
    for (let attempt = 0; attempt < 100 && !recent; attempt += 1) {
      recent = await app.roundtable.recentSessionFor('slack', channel.id, ada.id);
      if (!recent) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(recent).toBeDefined();
    await emulator.waitFor(() => emulator.ephemeralsFor(ada.id).find((ephemeral) => ephemeral.text.includes('Roundtable started')), { timeoutMs: 5_000, message: 'the start confirmation' });
    // No delivery was ever retried: every ack came in time.
    expect(emulator.deliveries.filter((delivery) => delivery.retryNum > 0)).toEqual([]);
  });

  it('runs 20 sessions in one channel at once with zero 429s', async () => {
    harness = await startE2E();
    const { emulator, settled } = harness;
    const channel = emulator.addChannel('busy');
    const people = Array.from({ length: 20 }, (_, index) => emulator.addUser(`person${index}`));
    const started = Date.now();
    const mentions = await Promise.all(people.map((person, index) => emulator.userMentions(person, channel.id, `Topic number ${index}`)));
    for (const mention of mentions) expect(mention.deliveries.every((delivery) => delivery.status === 200)).toBe(true);
    await Promise.all(mentions.map((mention) => settled(harness!.sessionIdFor(channel.id, mention.ts), undefined, 45_000)));
    for (const mention of mentions) {
      const usernames = new Set(emulator.thread(channel.id, mention.ts).flatMap((message) => (message.username ? [message.username] : [])));
      expect(usernames.size).toBe(2);
    }
    expect(emulator.rateLimitHits).toEqual([]);
    const posts = emulator.calls().filter((call) => call.method === 'chat.postMessage' || call.method === 'chat.startStream' || call.method === 'files.completeUploadExternal');
    // The pacing really held: the sustained rate never exceeded 1 message / 100 ms in any 1 s.
    const times = posts.map((call) => call.at).sort((a, b) => a - b);
    const tooClose = times.filter((time, index) => index >= 11 && time - (times[index - 11] ?? 0) < 1_000);
    expect(tooClose).toEqual([]);
    console.log(`20 sessions: ${posts.length} messages in ${Date.now() - started} ms, 0 rate-limited`);
  });
});
