/**
 * The adapter contract's Discord rig: the real app with the real Discord adapter (discord.js over
 * the gateway and REST) against the Discord emulator (test/discord-e2e/e2e-harness.ts). People
 * mention the bot in one channel; the emulator dispatches every message — the bot's and its
 * webhooks' too — over the gateway, as Discord does. Discord's webhook and channel windows are
 * scaled down by 10 for the emulator and the bot alike (their limits unchanged).
 */
import { buildSessionId } from '../../src/session/session-id.ts';
import { startE2E } from '../discord-e2e/e2e-harness.ts';
import type { ContractRig, RigFactory, ThreadMessage } from './contract-rig.ts';

export const discordRig: RigFactory = {
  platform: 'discord',
  echoesOwnPosts: true,
  pings: '@everyone @here <@123456789012345678> <@&223456789012345678> <@!323456789012345678>',
  async create(): Promise<ContractRig> {
    const e2e = await startE2E({
      emulator: { limits: { webhook: { limit: 5, windowMs: 200 }, channelWebhooks: { limit: 30, windowMs: 6_000 } } },
      config: { DISCORD_WEBHOOK_WRITES: 4, DISCORD_WEBHOOK_WINDOW_MS: 200, DISCORD_CHANNEL_WRITES: 25, DISCORD_CHANNEL_WINDOW_MS: 6_000 },
    });
    const { emulator, app } = e2e;
    const channel = emulator.addTextChannel('contract');
    const threads = new Map<string, string>();
    let people = 0;
    const fromUs = (message: { webhookUsername?: string; json: Record<string, unknown> }) =>
      message.webhookUsername !== undefined || (message.json.author as { id?: string } | undefined)?.id === emulator.botUser.id;
    return {
      app,
      adapter: e2e.discord.adapter,
      async startSession(topic) {
        const person = emulator.addMember(`contract-${people++}`);
        emulator.userSendsMessage(channel.id, person, `<@${emulator.botUser.id}> ${topic}`);
        const thread = await emulator.waitFor(() => emulator.threadsOf(channel.id).find((candidate) => candidate.name === topic), 20_000, `the thread for “${topic}”`);
        const sessionId = buildSessionId({ platform: 'discord', channel: channel.id, thread: thread.id });
        threads.set(sessionId, thread.id);
        await emulator.waitFor(async () => (await app.roundtable.status(sessionId)) !== undefined || undefined, 20_000, 'the session');
        return sessionId;
      },
      thread(sessionId): ThreadMessage[] {
        const threadId = threads.get(sessionId);
        if (!threadId) return [];
        return emulator.messagesIn(threadId).map((message) => {
          const text = String(message.json.content ?? '');
          return {
            ref: String(message.json.id),
            fromUs: fromUs(message),
            text,
            history: [...new Set([...message.edits.map((edit) => edit.content), text])],
            pinged: message.pings.everyone || message.pings.users.length > 0 || message.pings.roles.length > 0,
          };
        });
      },
      // Every message the emulator creates is dispatched as MESSAGE_CREATE to the connected bot.
      ownPostsEchoed: () => [...emulator.state.messages.values()].filter((message) => !message.ephemeral && fromUs(message)).length,
      rateLimitHits: () => emulator.rateLimitHits + e2e.discord.rateLimitHits(),
      stop: () => e2e.stop(),
    };
  },
};
