/**
 * Budget-aware streaming on Discord, end to end: eight sessions in one channel, every persona
 * reply streamed slowly by the model, with Discord's webhook and (hidden) channel windows enforced
 * by the emulator (both scaled down by 10, for the bot and the emulator alike). A reply is posted
 * and then edited only when its final edit can be held in the channel's window right now;
 * otherwise it is posted once, finished. So: no 429, and no message waits half-written behind
 * other sessions' posts (each is finished within a moment of its reply's last token).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eChat, startE2E, type E2E } from './e2e-harness.ts';
import type { RecordedRequest } from '../fake-openai/fake-openai-server.ts';

/** 480 characters in 40 chunks, 70 ms apart: each reply takes ~2.8 s to write. */
const replyMs = 40 * 70;

function chat(request: RecordedRequest, index: number) {
  const reply = e2eChat(request);
  if (reply.kind !== 'text') return reply;
  return { kind: 'text' as const, text: `Reply ${index}: ${'a felt shade, an oak arm and a dimmer that clicks softly; '.repeat(10)}`.slice(0, 480), chunkSize: 12, chunkDelayMs: 70 };
}

function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + 1_420_070_400_000n);
}

describe('Discord end to end: streaming within the channel window', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({
      chat,
      emulator: { limits: { webhook: { limit: 5, windowMs: 200 }, channelWebhooks: { limit: 30, windowMs: 6_000 } } },
      config: {
        AUTO_ROUNDS: 1,
        WORKER_CONCURRENCY: 16,
        DISCORD_WEBHOOK_WRITES: 4,
        DISCORD_WEBHOOK_WINDOW_MS: 200,
        DISCORD_CHANNEL_WRITES: 25,
        DISCORD_CHANNEL_WINDOW_MS: 6_000,
        DISCORD_EDIT_INTERVAL_MS: 200,
      },
    });
  });
  afterAll(async () => {
    await e2e?.stop();
  });

  it('eight sessions in one channel: no 429, no message left half-written', async () => {
    const { emulator } = e2e;
    const channel = emulator.addTextChannel('busy-streams');
    const people = Array.from({ length: 8 }, (_, index) => emulator.addMember(`streamer-${index}`));
    for (const [index, person] of people.entries()) emulator.userSendsMessage(channel.id, person, `<@${emulator.botUser.id}> Lamp topic ${index}`);
    const threads = await emulator.waitFor(() => (emulator.threadsOf(channel.id).length === 8 ? emulator.threadsOf(channel.id) : undefined), 20_000, '8 threads');
    const personaPosts = () => threads.flatMap((thread) => emulator.messagesIn(thread.id).filter((message) => message.webhookUsername !== undefined));
    // Two introductions and one round of two turns per session.
    await emulator.waitFor(() => (personaPosts().length >= 8 * 4 ? true : undefined), 120_000, 'four persona turns in every thread');
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    expect(emulator.rateLimitHits).toBe(0);
    expect(e2e.discord.rateLimitHits()).toBe(0);
    const streamed = personaPosts().filter((message) => message.edits.length > 0);
    const openFor = streamed.map((message) => Math.max(...message.edits.map((edit) => edit.at)) - snowflakeTime(String(message.json.id)));
    // Some replies streamed; the channel's window could not pay for every reply's post and edits.
    expect(streamed.length).toBeGreaterThan(0);
    expect(streamed.length).toBeLessThan(personaPosts().length);
    expect(Math.max(...openFor)).toBeLessThan(replyMs + 1_500);
  }, 150_000);
});
