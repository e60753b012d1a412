/**
 * Self-ignore, mention safety, missing permissions, and a burst of 20 sessions in one channel
 * with zero 429s. Pacing windows are scaled down identically in the emulator and the bot config
 * (same ratios as Discord's: webhook 5 vs our 4, channel 30 vs our 25) so the burst runs fast.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E, e2eChat, type E2E } from './e2e-harness.ts';
import { defaultChatReply } from '../fake-openai/fake-openai-server.ts';

const windowMs = 2_000;

describe('Discord end to end: safety and pacing', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({
      emulator: { limits: { webhook: { limit: 5, windowMs: windowMs / 2 }, channelWebhooks: { limit: 30, windowMs } } },
      config: {
        DISCORD_WEBHOOK_WRITES: 4,
        DISCORD_WEBHOOK_WINDOW_MS: windowMs / 2,
        DISCORD_CHANNEL_WRITES: 25,
        DISCORD_CHANNEL_WINDOW_MS: windowMs,
        DISCORD_EDIT_INTERVAL_MS: 100,
        WORKER_CONCURRENCY: 16,
      },
    });
  });
  afterAll(async () => {
    await e2e?.stop();
  });

  it('ignores its own messages and its own webhook posts', async () => {
    const { emulator } = e2e;
    const channel = emulator.addTextChannel('self');
    emulator.userSendsMessage(channel.id, emulator.botUser, `<@${emulator.botUser.id}> talk to yourself`);
    const alice = emulator.addMember('alice-self');
    emulator.userSendsMessage(channel.id, alice, `<@${emulator.botUser.id}> Quiet panel`);
    const thread = await emulator.waitFor(() => emulator.threadsOf(channel.id)[0], 10_000, 'one thread');
    const personaPosts = () => emulator.messagesIn(thread.id).filter((message) => message.webhookUsername !== undefined).length;
    await emulator.waitFor(() => personaPosts() >= 2, 20_000, 'introductions');
    const sessionId = `discord:${channel.id}:${thread.id}`;
    for (const deadline = Date.now() + 20_000; (await e2e.app.roundtable.isBusy(sessionId)) && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
    const settled = personaPosts();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // With AUTO_ROUNDS=0 nobody speaks again unless a person does: persona posts were not taken as input.
    expect(personaPosts()).toBe(settled);
    expect(emulator.threadsOf(channel.id)).toHaveLength(1);
  });

  it('pings nobody when a model reply contains @everyone, @here and <@123>', async () => {
    const { emulator, openai } = e2e;
    openai.setChat((request, index) => {
      const reply = e2eChat(request);
      const fallback = defaultChatReply(request);
      if (reply.kind === 'text' && fallback.kind === 'text' && reply.text === fallback.text) return { kind: 'text', text: `Hey @everyone and @here, ask <@123> and <@&456>! (${index})` };
      return reply;
    });
    try {
      const channel = emulator.addTextChannel('mentions');
      const alice = emulator.addMember('alice-mentions');
      emulator.userSendsMessage(channel.id, alice, `<@${emulator.botUser.id}> Mentions`);
      const thread = await emulator.waitFor(() => emulator.threadsOf(channel.id)[0], 10_000, 'the thread');
      const posts = await emulator.waitFor(() => {
        const found = emulator.messagesIn(thread.id).filter((message) => String(message.json.content).includes('<@123>'));
        return found.length >= 2 ? found : undefined;
      }, 20_000, 'persona posts with mentions');
      for (const message of posts) {
        expect(message.pings).toEqual({ everyone: false, users: [], roles: [] });
        expect(message.json.mention_everyone).toBe(false);
        expect(message.allowedMentionsHistory.every((allowed) => JSON.stringify(allowed) === '{"parse":[]}')).toBe(true);
      }
    } finally {
      openai.setChat(e2eChat);
    }
  });

  it('names the missing permissions in one clear message and opens no thread', async () => {
    const { emulator } = e2e;
    const channel = emulator.addTextChannel('no-webhooks');
    emulator.denyBotPermissions(channel.id, 'ManageWebhooks', 'AttachFiles');
    const alice = emulator.addMember('alice-perms');
    emulator.userSendsMessage(channel.id, alice, `<@${emulator.botUser.id}> A topic`);
    const notice = await emulator.waitFor(
      () => emulator.messagesIn(channel.id).find((message) => (message.json.author as { id: string }).id === emulator.botUser.id),
      10_000,
      'the notice',
    );
    expect(notice.json.content).toContain('Manage Webhooks');
    expect(notice.json.content).toContain('Attach Files');
    expect(emulator.threadsOf(channel.id)).toHaveLength(0);
    expect(emulator.messagesIn(channel.id).filter((message) => (message.json.author as { id: string }).id === emulator.botUser.id)).toHaveLength(1);
  });

  it('runs a burst of 20 sessions in one channel without a single 429', async () => {
    const { emulator } = e2e;
    const channel = emulator.addTextChannel('burst');
    const before = emulator.rateLimitHits;
    const people = Array.from({ length: 20 }, (_, index) => emulator.addMember(`burst-${index}`));
    for (const [index, person] of people.entries()) emulator.userSendsMessage(channel.id, person, `<@${emulator.botUser.id}> Burst topic ${index}`);
    const threads = await emulator.waitFor(() => (emulator.threadsOf(channel.id).length === 20 ? emulator.threadsOf(channel.id) : undefined), 20_000, '20 threads');
    await emulator.waitFor(
      () => threads.every((thread) => emulator.messagesIn(thread.id).filter((message) => message.webhookUsername !== undefined).length >= 2),
      45_000,
      'introductions in all 20 threads',
    );
    expect(emulator.rateLimitHits - before).toBe(0);
    expect(e2e.discord.rateLimitHits()).toBe(0);
  });
});
