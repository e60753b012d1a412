/**
 * A Discord-compatible server that sends `application.install_params: null` in READY: discord.js
 * throws on it inside its WebSocket handler (an uncaught exception that used to end the process
 * with every session in it). The guard repairs the payload where it enters discord.js; the bot
 * connects and runs a session.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startE2E, type E2E } from './e2e-harness.ts';

describe('Discord gateway payloads that crash discord.js', () => {
  let e2e: E2E | undefined;
  const uncaught: unknown[] = [];
  const record = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', record);
  afterAll(async () => {
    process.off('uncaughtException', record);
    await e2e?.stop();
  });

  it('survives READY with install_params: null and runs a session', async () => {
    e2e = await startE2E({ emulator: { readyApplication: { install_params: null } } });
    const { emulator } = e2e;
    expect(e2e.discord.isConnected()).toBe(true);
    const channel = emulator.addTextChannel('guarded');
    const alice = emulator.addMember('alice-guarded');
    emulator.userSendsMessage(channel.id, alice, `<@${emulator.botUser.id}> A lamp for night owls`);
    const thread = await emulator.waitFor(() => emulator.threadsOf(channel.id)[0], 10_000, 'the session thread');
    await emulator.waitFor(() => emulator.messagesIn(thread.id).some((message) => message.webhookUsername !== undefined), 20_000, 'a persona post');
    expect(uncaught).toEqual([]);
  });
});
