/**
 * A person sees only what is meant for a person. A persona's streamed reply that fails midway
 * (the model's stream is cut, on every attempt) is finished as it stands with a short public
 * marker, the step is skipped with a short public line, and no internal error text — SDK
 * messages, error names, stack frames — reaches the thread, on Slack and on Discord.
 *
 * The same when the platform fails the stream instead, in the shapes it documents (the emulators'
 * injected faults): Slack's `chat.appendStream` and `chat.stopStream` answering an error
 * (`{"ok": false, "error": "internal_error"}`) or 429 with Retry-After until the SDK gives up —
 * once a thread showed "_(Slack chat.stopStream failed: A request error occurred: A rate limit
 * was exceeded (url: …/api/chat.stopStream, retry-after: 3))_" — and Discord's webhook message
 * edit answering 404 Unknown Message, 500 or 429 mid-stream. No version of any message in the
 * thread (every edit, every block) says anything internal, and the session goes on to its pause.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { panelReplies, startE2E as startSlack, type E2EHarness as SlackHarness } from '../slack-e2e/slack-e2e-harness.ts';
import { e2eChat, startE2E as startDiscord, type E2E as DiscordHarness } from '../discord-e2e/e2e-harness.ts';
import { chatBody, messageText, speakerOf } from '../harness/roundtable-model.ts';
import type { ChatReply, RecordedRequest } from '../fake-openai/fake-openai-server.ts';
import type { SlackFaultRule } from '../slack-emulator/injected-faults.ts';
import { discordFaults, type DiscordFault } from '../discord-emulator/injected-faults.ts';
import type { EmulatedMessage } from '../slack-emulator/workspace.ts';
import type { MessageRecord } from '../discord-emulator/discord-emulator.ts';
import { buildSessionId } from '../../src/session/session-id.ts';
import { interruptedMarker } from '../../src/outbound/outbox-stream.ts';

/** Words that only internal error text contains. */
const internal = /failed with|terminated|connection error|TableRoundError|Error:|ECONN|\bat async\b|\n\s+at /i;

/**
 * What internal text of a platform failure looks like: the SDKs' messages ("A request error
 * occurred", "A rate limit was exceeded (url: …, retry-after: 3)", discord.js's "Unknown Message"
 * and "Internal Server Error"), Slack's error codes, our own "Slack chat.stopStream failed: …",
 * error class names, URLs and stack frames.
 */
const platformInternal =
  /failed|https?:\/\/|\burl\b|retry-after|retry_after|rate ?limit|ratelimited|internal_error|request error|Internal Server Error|Unknown Message|\b[A-Za-z]*Error\b|WebAPI|ECONN|\bat async\b|\n\s+at /i;

/** Every string a Slack message ever showed: each text it had and the texts of its blocks. */
function slackVersions(message: EmulatedMessage): string[] {
  const texts: string[] = [...message.history];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      for (const [key, field] of Object.entries(value)) {
        if (key === 'text' && typeof field === 'string') texts.push(field);
        else visit(field);
      }
    }
  };
  visit(message.blocks ?? []);
  return texts;
}

/** Every content a Discord message ever had (its create and its edits). */
function discordVersions(message: MessageRecord): string[] {
  return [String(message.json.content ?? ''), ...message.edits.map((edit) => edit.content)];
}

/** A long reply, streamed slowly, so that the platform writes of its stream come several times. */
const slowReply = (text: string): ChatReply => ({
  kind: 'text',
  text: `${text} ${'Felt softens the light, and its seams decide where the glow escapes. '.repeat(4)}That is my view.`,
  chunkSize: 4,
  chunkDelayMs: 80,
});

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

describe('a platform that fails a streamed reply midway', () => {
  /** Starts a Slack session whose first persona's introduction streams slowly, with `faults` injected. */
  async function slackSession(faults: SlackFaultRule[], label: string) {
    const replies = panelReplies(undefined, { size: 12, delayMs: 0 });
    slack = await startSlack({ env: { STEP_RETRY_DELAY_MS: 20, AUTO_ROUNDS: 1 } });
    let slowOnce = false;
    slack.fake.setChat((request: RecordedRequest): ChatReply => {
      if (!slowOnce && speakerOf(chatBody(request)) === 'Bayar the Maker') {
        slowOnce = true;
        return slowReply('Bayar here: wool felt is what I know best.');
      }
      return replies(request);
    });
    const { emulator } = slack;
    for (const fault of faults) emulator.injectFault(fault);
    const channel = emulator.addChannel(label);
    const mention = await emulator.userMentions(emulator.addUser('ada'), channel.id, 'A felt lamp');
    const sessionId = slack.sessionIdFor(channel.id, mention.ts);
    await slack.settled(sessionId, 'paused', 80_000);
    return { sessionId, thread: emulator.thread(channel.id, mention.ts) };
  }

  async function expectSlackThreadClean(sessionId: string, thread: EmulatedMessage[]) {
    const { emulator, app } = slack!;
    const bot = thread.filter((message) => message.botId === emulator.workspace.botId);
    for (const message of bot) for (const text of slackVersions(message)) expect(text, `a version of "${message.text.slice(0, 60)}"`).not.toMatch(platformInternal);
    expect(bot.filter((message) => message.streaming === 'open').map((message) => message.text)).toEqual([]);
    // The session went on: the round and the pause after the failing reply, every persona entry shown.
    const transcript = await app.store.transcript(sessionId);
    const personas = transcript.filter((entry) => entry.kind === 'persona');
    expect(personas.length).toBe(4);
    for (const entry of personas) expect(bot.some((message) => message.username === entry.speakerName && message.text.includes(entry.text.replace(/ \(interrupted\)$/, '').slice(0, 40))), entry.text.slice(0, 60)).toBe(true);
    const bayar = bot.filter((message) => message.username === 'Bayar the Maker')[0];
    expect(bayar?.text, 'the failing reply, finished').toMatch(/That is my view\.|this reply was interrupted/);
    expect(emulator.rateLimitHits).toEqual([]);
  }

  it('on Slack, chat.appendStream and chat.stopStream answering internal_error: nothing internal shows, the session goes on', { timeout: 90_000 }, async () => {
    const { sessionId, thread } = await slackSession(
      [
        { method: 'chat.appendStream', fault: { error: 'internal_error' }, skip: 1, times: 2 },
        { method: 'chat.stopStream', fault: { error: 'internal_error' }, times: 2 },
      ],
      'slack-errors',
    );
    const injected = slack!.emulator.injectedFaults.map((fault) => `${fault.method} ${fault.status} ${fault.error}`);
    expect(injected).toEqual(['chat.appendStream 200 internal_error', 'chat.appendStream 200 internal_error', 'chat.stopStream 200 internal_error', 'chat.stopStream 200 internal_error']);
    await expectSlackThreadClean(sessionId, thread);
  });

  it('on Slack, chat.appendStream and chat.stopStream answering 429 until the SDK gives up: nothing internal shows, the session goes on', { timeout: 120_000 }, async () => {
    // The SDK retries a 429 three times after its Retry-After, then throws "A request error
    // occurred: A rate limit was exceeded (url: …, retry-after: 1)": four 429s in a row get there.
    const { sessionId, thread } = await slackSession(
      [
        { method: 'chat.appendStream', fault: { retryAfterSeconds: 1 }, skip: 1, times: 4 },
        { method: 'chat.stopStream', fault: { retryAfterSeconds: 1 }, times: 4 },
      ],
      'slack-429',
    );
    const injected = slack!.emulator.injectedFaults.map((fault) => `${fault.method} ${fault.status}`);
    expect(injected).toEqual([...Array<string>(4).fill('chat.appendStream 429'), ...Array<string>(4).fill('chat.stopStream 429')]);
    await expectSlackThreadClean(sessionId, thread);
  });

  const discordCases: { name: string; fault: DiscordFault; times: number }[] = [
    // As when the message is deleted while it streams: every edit of it fails from then on, on
    // every attempt; the step is skipped with a public line.
    { name: '404 Unknown Message, from then on', fault: discordFaults.unknownMessage, times: 1_000 },
    // discord.js retries a 5xx three times: eight answers fail two edits.
    { name: '500, for two edits', fault: discordFaults.serverError, times: 8 },
    // Discord failing every edit of the message: the step is skipped with a public line, and the
    // transcript records the reply as the thread shows it, interrupted (step-machine.ts, `skip`).
    { name: '500, from then on', fault: discordFaults.serverError, times: 1_000 },
    // discord.js waits and retries a 429 itself: slower writes, nothing fails.
    { name: '429, three times', fault: discordFaults.rateLimited(0.5), times: 3 },
  ];
  for (const { name, fault, times } of discordCases) {
    const forGood = times >= 1_000;
    it(`on Discord, the webhook message edit answering ${name} mid-stream: nothing internal shows, the session goes on`, { timeout: 90_000 }, async () => {
      let slowOnce = false;
      discord = await startDiscord({
        emulator: { limits: { webhook: { limit: 5, windowMs: 1_000 }, channelWebhooks: { limit: 30, windowMs: 2_000 } } },
        config: { STEP_RETRY_DELAY_MS: 20, MODEL_MAX_RETRIES: 0, AUTO_ROUNDS: 1, DISCORD_WEBHOOK_WRITES: 4, DISCORD_WEBHOOK_WINDOW_MS: 1_000, DISCORD_CHANNEL_WRITES: 25, DISCORD_CHANNEL_WINDOW_MS: 2_000, DISCORD_EDIT_INTERVAL_MS: 100 },
        chat: (request) => {
          if (!slowOnce && messageText(chatBody(request)).includes('Speak now as Ada (Discord maker)')) {
            slowOnce = true;
            return slowReply('Ada here: oak and felt, nothing more.');
          }
          return e2eChat(request);
        },
      });
      const { emulator, app } = discord;
      const channel = emulator.addTextChannel(`edits-${fault.status}-${times}`);
      emulator.userSendsMessage(channel.id, emulator.addMember(`alice-${fault.status}-${times}`), `<@${emulator.botUser.id}> A lamp`);
      const thread = await emulator.waitFor(() => emulator.threadsOf(channel.id)[0], 10_000, 'the thread');
      const sessionId = buildSessionId({ platform: 'discord', channel: channel.id, thread: thread.id });
      // Mid-stream: once Ada's reply is posted and growing, the edits of that message fail.
      const streaming = await emulator.waitFor(() => emulator.messagesIn(thread.id).find((message) => message.webhookUsername?.startsWith('Ada') && message.edits.length > 0), 20_000, 'the stream');
      const streamingId = String(streaming.json.id);
      emulator.injectFault({ method: 'PATCH', path: new RegExp(`^/webhooks/\\d+/[^/]+/messages/${streamingId}$`), fault, times });
      await discord.settled(sessionId, 60_000);
      expect((await app.roundtable.status(sessionId))?.stage).toBe('paused');
      if (forGood) expect(emulator.injectedFaults.length).toBeGreaterThanOrEqual(3);
      else expect(emulator.injectedFaults).toHaveLength(times);

      const bot = emulator.messagesIn(thread.id).filter((message) => message.webhookUsername !== undefined || (message.json.author as { id: string }).id === emulator.botUser.id);
      for (const message of bot) for (const text of discordVersions(message)) expect(text, `a version of "${text.slice(0, 60)}"`).not.toMatch(platformInternal);
      // Failing for good, the step is skipped with a short public line; else the reply is finished.
      const skipped = bot.filter((message) => /Skipped: Ada/.test(String(message.json.content)));
      expect(skipped).toHaveLength(forGood ? 1 : 0);
      const ada = bot.find((message) => String(message.json.id) === streamingId);
      if (!forGood) expect(String(ada?.json.content), 'the failing reply, finished').toMatch(new RegExp(`That is my view\\.|${interruptedMarker.replace(/[()]/g, '\\$&')}`));
      // The session went on, and the thread shows the transcript's persona entries: the skipped
      // reply among them, marked interrupted. (The emulator answers 404 but keeps the message, so
      // the thread still shows its first part; a message really deleted would leave an
      // "(interrupted)" entry for a message no longer shown — the record errs on keeping.)
      const transcript = await app.store.transcript(sessionId);
      const personas = transcript.filter((entry) => entry.kind === 'persona');
      expect(
        personas.map((entry) => `${entry.speakerName}: ${entry.text.slice(0, 30)}`),
        'persona entries: a skipped reply whose message the thread still shows is recorded, "(interrupted)"',
      ).toHaveLength(4);
      for (const entry of personas) {
        const shown = entry.text.replace(/ \(interrupted\)$/, '').slice(0, 40);
        expect(bot.some((message) => String(message.json.content).includes(shown)), entry.text.slice(0, 60)).toBe(true);
      }
      expect(emulator.rateLimitHits).toBe(0);
    });
  }
});
