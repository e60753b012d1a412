/**
 * An error's own message is for logs: when a person's message is refused with an error that
 * carries no sentence meant for people, the person is told a generic line, and the error's text —
 * here a Redis URL with its password — reaches the platform nowhere: not in the thread (Discord
 * answers a thread message in the thread itself), not in an ephemeral answer (Slack).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startE2E as startSlack, type E2EHarness as SlackHarness } from '../slack-e2e/slack-e2e-harness.ts';
import { startE2E as startDiscord, type E2E as DiscordHarness } from '../discord-e2e/e2e-harness.ts';
import { TableRoundError, type ErrorCode } from '../../src/errors.ts';
import type { RunningApp } from '../../src/app/start-app.ts';

const secret = 'hunter2-7c1f0e';
const internalText = `Redis at redis://default:${secret}@10.20.30.40:6379 refused the inbox write`;

let slack: SlackHarness | undefined;
let discord: DiscordHarness | undefined;
afterEach(async () => {
  await slack?.stop();
  await discord?.stop();
  slack = discord = undefined;
});

/** People's messages are refused with `code` and the internal text, and nothing for people. */
function refuseMessages(app: RunningApp, code: ErrorCode): void {
  const submit = app.roundtable.submit.bind(app.roundtable);
  app.roundtable.submit = (sessionId, person, action, eventId) =>
    action.type === 'message' ? Promise.reject(new TableRoundError(code, internalText)) : submit(sessionId, person, action, eventId);
}

describe('an error without a sentence for people', () => {
  it('on Discord, raised while a thread message is submitted: the thread gets the generic line, never the internal text', async () => {
    discord = await startDiscord();
    const { emulator, app } = discord;
    const channel = emulator.addTextChannel('leak');
    const alice = emulator.addMember('alice-leak');
    emulator.userSendsMessage(channel.id, alice, `<@${emulator.botUser.id}> A lamp`);
    const thread = await emulator.waitFor(() => emulator.threadsOf(channel.id)[0], 10_000, 'the thread');
    await emulator.waitFor(async () => (await app.roundtable.status(`discord:${channel.id}:${thread.id}`)) ?? undefined, 10_000, 'the session');
    refuseMessages(app, 'internal');
    const message = emulator.userSendsMessage(thread.id, alice, 'What about the shade?');
    const answer = await emulator.waitFor(() => emulator.messagesIn(thread.id).find((posted) => (posted.json.message_reference as { message_id?: string } | undefined)?.message_id === message.json.id), 10_000, 'the answer');
    expect(String(answer.json.content)).toMatch(/^Something went wrong on our side/);
    const everything = JSON.stringify([...emulator.state.messages.values()].map((posted) => posted.json)) + JSON.stringify([...emulator.state.interactions.values()].map((interaction) => interaction.callbacks));
    expect(everything).not.toContain(secret);
  });

  it('on Slack, raised while a thread message is submitted: the ephemeral answer is the generic line, never the internal text', async () => {
    slack = await startSlack();
    const { emulator, app } = slack;
    const channel = emulator.addChannel('leak');
    const ada = emulator.addUser('ada');
    const mention = await emulator.userMentions(ada, channel.id, 'A kettle');
    await emulator.waitFor(() => emulator.thread(channel.id, mention.ts).length > 1, { timeoutMs: 20_000, message: 'the session' });
    refuseMessages(app, 'platform_failed');
    await emulator.userReplies(ada, channel.id, mention.ts, 'What about the spout?');
    const answer = await emulator.waitFor(() => emulator.ephemeralsFor(ada.id).at(-1), { timeoutMs: 10_000, message: 'the answer' });
    expect(answer.text).toBe('Something went wrong on our side; please try again.');
    const everything = JSON.stringify(emulator.calls().map((call) => call.args)) + JSON.stringify(emulator.workspace.ephemerals);
    expect(everything).not.toContain(secret);
  });
});
