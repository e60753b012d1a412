/**
 * A person sees only what is meant for a person. A persona's streamed reply that fails midway
 * (the model's stream is cut, on every attempt) is finished as it stands with a short public
 * marker, the step is skipped with a short public line, and no internal error text — SDK
 * messages, error names, stack frames — reaches the thread, on Slack and on Discord.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { panelReplies, startE2E as startSlack, type E2EHarness as SlackHarness } from '../slack-e2e/slack-e2e-harness.ts';
import { e2eChat, startE2E as startDiscord, type E2E as DiscordHarness } from '../discord-e2e/e2e-harness.ts';
import { chatBody, messageText, speakerOf } from '../harness/roundtable-model.ts';
import type { ChatReply, RecordedRequest } from '../fake-openai/fake-openai-server.ts';

/** Words that only internal error text contains. */
const internal = /failed with|terminated|connection error|TableRoundError|Error:|ECONN|\bat async\b|\n\s+at /i;

let slack: SlackHarness | undefined;
let discord: DiscordHarness | undefined;
afterEach(async () => {
  await slack?.stop();
  await discord?.stop();
  slack = discord = undefined;
});

describe('a streamed reply that fails midway', () => {
  it('on Slack: the message is finished with a public marker and the notice is public', { timeout: 60_000 }, async () => {
    const replies = panelReplies(undefined, { size: 4, delayMs: 20 });
    slack = await startSlack({ env: { STEP_RETRY_DELAY_MS: 20 } });
    slack.fake.setChat((request: RecordedRequest): ChatReply => (speakerOf(chatBody(request)) === 'Lin the Designer' ? { kind: 'cut', text: 'I was about to say something important about the handle and its', chunkDelayMs: 600 } : replies(request)));
    const { emulator, app } = slack;
    const channel = emulator.addChannel('cut');
    const ada = emulator.addUser('ada');
    const mention = await emulator.userMentions(ada, channel.id, 'A kettle');
    const sessionId = slack.sessionIdFor(channel.id, mention.ts);
    await slack.settled(sessionId, undefined, 40_000);
    const bot = emulator.thread(channel.id, mention.ts).filter((message) => message.botId === emulator.workspace.botId);
    const designer = bot.filter((message) => message.username === 'Lin the Designer');
    expect(designer.length).toBeGreaterThanOrEqual(1);
    for (const message of designer) {
      expect(message.text).toContain('(this reply was interrupted)');
      expect(message.streaming).not.toBe('open');
    }
    expect(bot.some((message) => /Skipped: Lin the Designer's introduction/.test(message.text))).toBe(true);
    for (const message of bot) expect(message.text, message.text).not.toMatch(internal);
    const transcript = await app.store.transcript(sessionId);
    expect(transcript.some((entry) => entry.speakerName === 'Lin the Designer' && entry.text.endsWith('(interrupted)'))).toBe(true);
  });

  it('on Discord: the same', { timeout: 60_000 }, async () => {
    // Pacing windows scaled down in the emulator and the bot alike (as in the burst test).
    discord = await startDiscord({
      emulator: { limits: { webhook: { limit: 5, windowMs: 1_000 }, channelWebhooks: { limit: 30, windowMs: 2_000 } } },
      config: { STEP_RETRY_DELAY_MS: 20, MODEL_MAX_RETRIES: 0, DISCORD_WEBHOOK_WRITES: 4, DISCORD_WEBHOOK_WINDOW_MS: 1_000, DISCORD_CHANNEL_WRITES: 25, DISCORD_CHANNEL_WINDOW_MS: 2_000, DISCORD_EDIT_INTERVAL_MS: 100 },
      chat: (request) => (messageText(chatBody(request)).includes('Speak now as Sam (skeptic)') ? { kind: 'cut', text: 'I doubt that the whole idea holds together, because the' } : e2eChat(request)),
    });
    const { emulator } = discord;
    const channel = emulator.addTextChannel('cut');
    const alice = emulator.addMember('alice-cut');
    emulator.userSendsMessage(channel.id, alice, `<@${emulator.botUser.id}> A lamp`);
    const thread = await emulator.waitFor(() => emulator.threadsOf(channel.id)[0], 10_000, 'the thread');
    await emulator.waitFor(() => emulator.messagesIn(thread.id).some((message) => /Skipped: Sam \(skeptic\)'s introduction/.test(String(message.json.content))), 40_000, 'the notice');
    const bot = emulator.messagesIn(thread.id).filter((message) => message.webhookUsername !== undefined || (message.json.author as { id: string }).id === emulator.botUser.id);
    const skeptic = bot.filter((message) => message.webhookUsername?.startsWith('Sam'));
    for (const message of skeptic) expect(String(message.json.content)).toContain('(this reply was interrupted)');
    for (const message of bot) expect(String(message.json.content)).not.toMatch(internal);
  });
});
