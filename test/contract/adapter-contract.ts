/**
 * The adapter contract: what every platform adapter must do, checked the same way for the
 * terminal, Discord and Slack (in the manner of the Chat SDK's contract suites). Each platform
 * supplies a rig (contract-rig.ts) running the real app with its real adapter against the
 * platform's stand-in; these tests drive it only through the platform's wire and read back what
 * the platform holds:
 * - the session id round-trips: the session a person starts is addressed by its thread, and a
 *   post sent to the id lands in that thread;
 * - it never answers itself: our own posts, delivered back by the platform, are ignored;
 * - it mentions nobody, on posts and on edits;
 * - a long post is split at the platform's limit, every part within it, nothing lost;
 * - a burst of 20 sessions started at once runs without a single 429.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Speaker } from '../../src/adapter/chat-adapter.ts';
import { buildSessionId, parseSessionId } from '../../src/session/session-id.ts';
import { deliverPost } from '../../src/outbound/deliver-post.ts';
import { testOutbox } from '../harness/test-outbox.ts';
import { testRedis, uniqueName, deleteKeys } from '../harness/redis.ts';
import type { ContractRig, RigFactory } from './contract-rig.ts';

const moderator: Speaker = { kind: 'moderator' };

async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function adapterContract(factory: RigFactory): void {
  describe(`adapter contract: ${factory.platform}`, () => {
    let rig: ContractRig;
    const redis = testRedis();
    const outboxPrefix = uniqueName('contract-outbox');

    beforeAll(async () => {
      rig = await factory.create();
    }, 60_000);
    afterAll(async () => {
      await rig?.stop();
      await deleteKeys(redis, outboxPrefix);
      redis.disconnect();
    });

    /** The session has nothing queued or running (its introductions are done). */
    const settled = (sessionId: string, timeoutMs = 30_000) =>
      until(
        async () => {
          const status = await rig.app.roundtable.status(sessionId);
          return status !== undefined && status.pendingSteps === 0 && status.pendingActions === 0;
        },
        `session ${sessionId} to settle`,
        timeoutMs,
      );

    const personaOf = async (sessionId: string): Promise<Speaker> => {
      const persona = (await rig.app.roundtable.status(sessionId))?.personas[0];
      if (!persona) throw new Error('the session has no panel');
      return { kind: 'persona', persona: { id: persona.id, displayName: persona.displayName } };
    };

    it('round-trips the session id: a session is addressed by its thread, and a post to the id lands there', async () => {
      const topic = 'A reading lamp for a small flat';
      const sessionId = await rig.startSession(topic);
      const address = parseSessionId(sessionId);
      expect(address.platform).toBe(factory.platform);
      expect(buildSessionId(address)).toBe(sessionId);
      expect((await rig.app.roundtable.status(sessionId))?.topic).toBe(topic);
      await until(() => rig.thread(sessionId).some((message) => message.fromUs), 'the opening in the thread');
      await rig.adapter.send({ sessionId, speaker: moderator, text: rig.adapter.render('Round trip check') });
      await until(() => rig.thread(sessionId).some((message) => message.fromUs && message.text.includes('Round trip check')), 'the post in the thread');
    });

    it.skipIf(!factory.echoesOwnPosts)('never answers itself or its own persona identities', async () => {
      const sessionId = await rig.startSession('Never answer yourself');
      await settled(sessionId);
      const ours = rig.thread(sessionId).filter((message) => message.fromUs).length;
      // The platform has delivered our posts back to the app (at least the opening and the introductions).
      await until(() => rig.ownPostsEchoed() >= ours, 'our posts echoed back');
      await new Promise((resolve) => setTimeout(resolve, 500));
      await settled(sessionId);
      const transcript = await rig.app.store.transcript(sessionId);
      expect(transcript.filter((entry) => entry.kind === 'person')).toEqual([]);
      // Nothing more was said after the introductions: no persona answered an echo.
      expect(rig.thread(sessionId).filter((message) => message.fromUs)).toHaveLength(ours);
    });

    it('mentions nobody on posts and on edits', async () => {
      const sessionId = await rig.startSession('Nobody gets pinged');
      await settled(sessionId);
      for (const speaker of [moderator, await personaOf(sessionId)]) {
        const ref = await rig.adapter.send({ sessionId, speaker, text: rig.adapter.render(`Hello ${factory.pings}`) });
        await rig.adapter.edit?.({ sessionId, speaker, ref, text: rig.adapter.render(`Edited ${factory.pings}`), budget: 'wait' });
      }
      const touched = await until(() => {
        const found = rig.thread(sessionId).filter((message) => message.history.some((text) => /Hello|Edited/.test(text)));
        return found.filter((message) => message.text.startsWith('Edited')).length >= 2 ? found : undefined;
      }, 'the edited posts');
      for (const message of touched) expect(message.pinged, message.history.join(' → ')).toBe(false);
    });

    it('splits a long post at the platform limit, every part within it, nothing lost', async () => {
      const sessionId = await rig.startSession('Long posts');
      await settled(sessionId);
      const limit = rig.adapter.messageLimit;
      const words: string[] = [];
      for (let length = 0; length < limit * 2.5; length += 10) words.push(`w${String(words.length).padStart(7, '0')}`);
      const { outbox } = await testOutbox(redis, outboxPrefix, sessionId);
      const refs = await deliverPost({ outbox, adapter: rig.adapter, sessionId }, { key: 'contract-split', speaker: moderator, text: words.join(' ') });
      expect(refs).toHaveLength(3);
      const parts = await until(() => {
        const found = rig.thread(sessionId).filter((message) => message.fromUs && /w\d{7}/.test(message.text));
        return found.length >= 3 ? found : undefined;
      }, 'the three parts');
      expect(parts).toHaveLength(3);
      for (const part of parts) expect(part.text.length).toBeLessThanOrEqual(limit);
      const seen = parts.flatMap((part) => part.text.match(/w\d{7}/g) ?? []);
      expect(seen).toEqual(words);
    });

    it('runs a burst of 20 sessions started at once without a single 429', async () => {
      const before = rig.rateLimitHits();
      const sessions = await Promise.all(Array.from({ length: 20 }, (_, index) => rig.startSession(`Burst topic ${index}`)));
      await Promise.all(sessions.map((sessionId) => settled(sessionId, 120_000)));
      for (const sessionId of sessions) {
        const personas = (await rig.app.roundtable.status(sessionId))?.personas.length ?? 0;
        const spoke = new Set((await rig.app.store.transcript(sessionId)).filter((entry) => entry.kind === 'persona').map((entry) => entry.speakerId));
        expect(spoke.size).toBe(personas);
      }
      expect(rig.rateLimitHits() - before).toBe(0);
    }, 180_000);
  });
}
