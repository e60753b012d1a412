/**
 * The Discord flow's twin, through real Bolt, the real Web API client, the real app and the
 * Slack emulator: mention → thread → distinct identities → a person answered → a file described →
 * a Block Kit vote by two people → end refused for a stranger and accepted for the starter →
 * transcript uploaded. Zero 429s throughout.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startE2E, until, type E2EHarness } from './slack-e2e-harness.ts';
import { createFakePng } from '../fake-openai/fake-png.ts';
import { ballotActionPrefix, closeActionId } from '../../adapters/slack/poll-blocks.ts';

let harness: E2EHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

const requestText = (body: unknown) => JSON.stringify(body ?? '');

describe('Slack end to end: one roundtable from mention to transcript', () => {
  it('runs the whole flow', async () => {
    harness = await startE2E();
    const { emulator, fake, app, settled } = harness;
    const channel = emulator.addChannel('design');
    const ada = emulator.addUser('ada');
    const bob = emulator.addUser('bob');
    const eve = emulator.addUser('eve');

    // Mention with an image → the session runs in the mention's thread.
    const image = emulator.uploadFile(ada, { name: 'kettle.png', mimetype: 'image/png', bytes: await createFakePng() });
    const mention = await emulator.userMentions(ada, channel.id, 'How should a kettle for the elderly feel?', { files: [image] });
    expect(mention.deliveries.every((delivery) => delivery.status === 200 && delivery.elapsedMs < 3_000)).toBe(true);
    const sessionId = harness.sessionIdFor(channel.id, mention.ts);
    await until(() => app.roundtable.status(sessionId), 'the session');
    await settled(sessionId);
    const thread = () => emulator.thread(channel.id, mention.ts);

    // Distinct persona identities, icon_emoji since no PUBLIC_BASE_URL is set.
    const personaPosts = thread().filter((message) => message.username);
    expect(new Set(personaPosts.map((message) => message.username))).toEqual(new Set(['Bayar the Maker', 'Lin the Designer']));
    expect(new Set(personaPosts.map((message) => message.iconEmoji))).toEqual(new Set([':hammer:', ':art:']));

    // The file was downloaded with the bot token and described by the vision model.
    expect(emulator.server.fileRequestsWithoutAuth).toBe(0);
    expect(fake.chatRequests().some((request) => requestText(request.body).includes('image_url'))).toBe(true);
    expect(thread().some((message) => message.text.includes('enamel kettles'))).toBe(true);

    // A person's reply in the thread (no mention) is answered in the next turn.
    const before = fake.chatRequests().length;
    const reply = await emulator.userReplies(ada, channel.id, mention.ts, 'What about the handle for weak hands?');
    await emulator.waitFor(() => thread().some((message) => message.username && Number(message.ts) > Number(reply.ts)), { timeoutMs: 20_000, message: 'a persona answer' });
    await settled(sessionId);
    expect(fake.chatRequests().slice(before).some((request) => requestText(request.body).includes('weak hands'))).toBe(true);

    // Vote: `@TableRound vote` in the thread → Block Kit poll; two people vote with buttons.
    await emulator.userMentions(ada, channel.id, 'vote', { threadTs: mention.ts });
    const pollMessage = await emulator.waitFor(() => thread().find((message) => JSON.stringify(message.blocks ?? []).includes(`${ballotActionPrefix}0`)), { timeoutMs: 20_000, message: 'the poll' });
    await settled(sessionId);
    await emulator.userClicks(ada, channel.id, pollMessage.ts, `${ballotActionPrefix}0`);
    await emulator.userClicks(bob, channel.id, pollMessage.ts, `${ballotActionPrefix}1`);
    await until(async () => (await app.roundtable.status(sessionId))?.poll?.peopleVoters === 2, 'two people voters');
    await emulator.waitFor(() => emulator.ephemeralsFor(bob.id).find((ephemeral) => /ballot/i.test(ephemeral.text)), { timeoutMs: 5_000, message: 'a ballot confirmation' });

    // Close with the button → the result comes with its chart, drawn by Slack (a chart block), the
    // numbers in the message's text; no picture of it besides.
    await emulator.userClicks(ada, channel.id, pollMessage.ts, closeActionId);
    const result = await emulator.waitFor(() => thread().find((message) => message.botId && JSON.stringify(message.blocks ?? []).includes('"data_visualization"')), { timeoutMs: 20_000, message: 'the chart' });
    expect(result.text).toMatch(/Vote closed/);
    await settled(sessionId);
    expect(thread().flatMap((message) => message.files ?? []).filter((file) => file.name.endsWith('.png') && file.user === emulator.workspace.botUserId)).toEqual([]);
    expect(JSON.stringify(emulator.workspace.findMessage(channel.id, pollMessage.ts)?.blocks)).not.toContain(`${ballotActionPrefix}0`);

    // End: refused for a stranger, accepted for the starter; the transcript is uploaded.
    await emulator.userMentions(eve, channel.id, 'end', { threadTs: mention.ts });
    await emulator.waitFor(() => emulator.ephemeralsFor(eve.id).find((ephemeral) => /only the person who started/i.test(ephemeral.text)), { timeoutMs: 10_000, message: 'the refusal' });
    expect((await app.roundtable.status(sessionId))?.ended).toBe(false);
    await emulator.userMentions(ada, channel.id, 'end', { threadTs: mention.ts });
    const transcript = await emulator.waitFor(() => thread().flatMap((message) => message.files ?? []).find((file) => file.name.endsWith('.md')), { timeoutMs: 20_000, message: 'the transcript' });
    expect(transcript.bytes.toString()).toContain('What about the handle for weak hands?');
    await settled(sessionId);
    expect((await app.roundtable.status(sessionId))?.ended).toBe(true);

    expect(emulator.rateLimitHits).toEqual([]);
    expect(emulator.calls().filter((call) => !call.ok)).toEqual([]);
  });
});
