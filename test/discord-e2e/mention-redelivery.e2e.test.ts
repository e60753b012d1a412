/**
 * A mention whose session could not be created (Redis refused the write once) starts the session
 * when the gateway delivers the mention again — in the thread already opened on it — and a further
 * delivery changes nothing: one thread, one session, one opening. Real discord.js, the Discord
 * emulator, real Redis. discord.js itself drops a MESSAGE_CREATE for a message it still holds in
 * its cache, so each delivery here first drops it from the cache — as a gateway process that
 * restarted, or whose cache let the message go, would see the replay.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startE2E, type E2E } from './e2e-harness.ts';
import { failScriptOnce } from '../harness/fail-script-once.ts';
import { createScript } from '../../src/store/session-scripts.ts';
import { buildSessionId } from '../../src/session/session-id.ts';

let e2e: E2E | undefined;
afterEach(async () => {
  await e2e?.stop();
  e2e = undefined;
});

describe('Discord: a mention whose start failed is taken when it is delivered again', () => {
  it('starts the session once, in the thread opened the first time', async () => {
    e2e = await startE2E();
    const { emulator, app } = e2e;
    const channel = emulator.addTextChannel('blip');
    const alice = emulator.addMember('alice-blip');
    const fault = failScriptOnce(app.store.redis, (_keys, sha) => sha === createScript.sha);
    try {
      const mention = emulator.userSendsMessage(channel.id, alice, `<@${emulator.botUser.id}> A lamp for reading in bed`);
      // The gateway's payload as first sent (before the thread was opened on it).
      const payload = structuredClone(mention.json);
      const messageId = String(mention.json.id);
      const sessionId = buildSessionId({ platform: 'discord', channel: channel.id, thread: messageId });
      const thread = await emulator.waitFor(() => emulator.threadsOf(channel.id)[0], 10_000, 'the thread');
      await emulator.waitFor(() => (fault.injected && emulator.messagesIn(thread.id).some((message) => /memory store is unreachable/.test(String(message.json.content)))) || undefined, 10_000, 'the refused start');
      expect(await app.roundtable.status(sessionId)).toBeUndefined();

      const deliverAgain = () => {
        const cached = e2e?.discord.client.channels.cache.get(channel.id);
        if (cached && 'messages' in cached) cached.messages.cache.delete(messageId);
        emulator.dispatchRaw('MESSAGE_CREATE', payload);
      };
      deliverAgain();
      await emulator.waitFor(async () => (await app.roundtable.status(sessionId)) ?? undefined, 10_000, 'the session');
      await e2e.settled(sessionId);
      const posts = () => emulator.messagesIn(thread.id).length;
      const posted = posts();

      // Delivered once more: nothing more happens.
      deliverAgain();
      await new Promise((resolve) => setTimeout(resolve, 500));
      await e2e.settled(sessionId);
      expect(posts()).toBe(posted);
      expect(emulator.threadsOf(channel.id)).toHaveLength(1);
      expect(thread.id).toBe(messageId);
    } finally {
      fault.restore();
    }
  });
});
