/**
 * What an independent Discord-compatible server did to discord.js's caches, replayed through the
 * emulator:
 * - a GUILD_MEMBER_UPDATE with a partial user (names null) arriving while the bot opened the
 *   session thread nulled the cached author: the starter was stored as `{"displayName": null}`;
 * - a slash command in a channel the gateway never announced (no CHANNEL_CREATE) with a partial
 *   interaction channel (no `guild_id`) left `interaction.channel` null: the bot answered
 *   "Roundtables run in server channels, not in DMs."
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSessionId } from '../../src/session/session-id.ts';
import type { SessionStatus } from '../../src/engine/roundtable-service.ts';
import { startE2E, type E2E } from './e2e-harness.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Discord end to end: gateway caches that lag or lie', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E();
  });
  afterAll(async () => {
    await e2e?.stop();
  });

  async function statusOf(sessionId: string, what: string): Promise<SessionStatus> {
    for (let waited = 0; waited < 10_000; waited += 50) {
      const status = await e2e.app.roundtable.status(sessionId);
      if (status) return status;
      await sleep(50);
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  async function endedWithin(sessionId: string, ms: number): Promise<boolean> {
    for (let waited = 0; waited < ms; waited += 50) {
      if ((await e2e.app.roundtable.status(sessionId))?.ended) return true;
      await sleep(50);
    }
    return false;
  }

  it('keeps the starter who mentioned the bot, whatever member updates arrive while the thread opens', async () => {
    const { emulator } = e2e;
    const channel = emulator.addTextChannel('partial-members');
    const alice = emulator.addMember('alice-partial');
    // While the bot awaits the thread, the server sends alice's member update with a partial
    // user, and answers only once discord.js has had time to apply it.
    const removeHook = emulator.onThreadCreated(async () => {
      emulator.sendMemberUpdate(alice.id);
      await sleep(150);
    });
    try {
      emulator.userSendsMessage(channel.id, alice, `<@${emulator.botUser.id}> A lamp for reading in bed`);
      const thread = await emulator.waitFor(() => emulator.threadsOf(channel.id)[0], 10_000, 'the session thread');
      const sessionId = buildSessionId({ platform: 'discord', channel: channel.id, thread: thread.id });
      const status = await statusOf(sessionId, 'the session');
      expect(status.starter).toMatchObject({ id: alice.id, displayName: 'alice-partial' });
      await emulator.waitFor(() => emulator.messagesIn(thread.id).filter((message) => message.webhookUsername !== undefined).length >= 2 || undefined, 20_000, 'two introductions');
      expect(emulator.messagesIn(thread.id).map((message) => String(message.json.content)).join('\n')).not.toMatch(/\bnull\b/);

      // The starter ends her own session.
      const end = emulator.userRunsCommand(thread.id, alice, 'end');
      await emulator.waitFor(() => emulator.channel(thread.id)?.archived, 60_000, 'the thread archived');
      expect(emulator.interactionMessages(end.id).map((message) => String(message.json.content)).join('\n')).not.toMatch(/only the person who started/i);
      // The closing step archives the thread before it commits the end: wait for the commit.
      expect(await endedWithin(sessionId, 10_000)).toBe(true);
    } finally {
      removeHook();
    }
  }, 90_000);

  it('runs /roundtable in a guild channel the gateway never announced', async () => {
    const { emulator } = e2e;
    const channel = emulator.addTextChannel('never-announced', { announce: false });
    expect(e2e.discord.client.channels.cache.has(channel.id)).toBe(false);
    const carol = emulator.addMember('carol-uncached');
    const start = emulator.userRunsCommand(channel.id, carol, 'roundtable', { topic: 'A stool for small balconies' }, { partialChannel: true });
    const thread = await emulator.waitFor(() => emulator.threadsOf(channel.id)[0], 10_000, 'the session thread');
    expect(thread.name).toBe('A stool for small balconies');
    const answers = await emulator.waitFor(() => (emulator.interactionMessages(start.id).some((message) => String(message.json.content).includes(thread.id)) ? emulator.interactionMessages(start.id) : undefined), 10_000, 'the /roundtable answer');
    expect(answers.map((message) => String(message.json.content)).join('\n')).not.toMatch(/not in DMs/);
    const status = await statusOf(buildSessionId({ platform: 'discord', channel: channel.id, thread: thread.id }), 'the session');
    expect(status.starter).toMatchObject({ id: carol.id, displayName: 'carol-uncached' });

    // A command typed in a thread of that channel, also sent with a partial channel, finds the session.
    const status2 = emulator.userRunsCommand(thread.id, carol, 'status', {}, { partialChannel: true });
    const reply = await emulator.waitFor(() => emulator.interactionMessages(status2.id)[0], 10_000, 'the /status answer');
    expect(String(reply.json.content)).toContain('A stool for small balconies');
  }, 60_000);
});
