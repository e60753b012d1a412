/**
 * The closed poll's message is its result: per keyword the people's and the panel's votes and
 * whether it was chosen, in the session's language, the buttons gone — through the adapter and
 * the Discord emulator — and it fits Discord's 2,000 characters however many keywords there are.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, REST, Routes } from 'discord.js';
import type { RedisClient } from '../../src/store/redis-connection.ts';
import { DiscordEmulator } from '../../test/discord-emulator/discord-emulator.ts';
import { deleteKeys, testRedis, uniqueName } from '../../test/harness/redis.ts';
import { RedisKeys } from '../../src/store/keys.ts';
import { RateBudget } from '../../src/pacing/rate-budget.ts';
import { configFrom } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { buildSessionId } from '../../src/session/session-id.ts';
import type { PollView } from '../../src/adapter/chat-adapter.ts';
import { DiscordPacing } from './discord-pacing.ts';
import { WebhookRegistry } from './webhook-registry.ts';
import { PersonaNames } from './persona-names.ts';
import { DiscordPoster } from './discord-poster.ts';
import { DiscordChatAdapter } from './discord-chat-adapter.ts';
import { botUserIdLoader } from './bot-user.ts';
import { decodeMessageRef } from './message-ref.ts';
import { renderPollComponents, renderPollResult, renderPollText } from './poll-message.ts';

const open = (sessionId: string): PollView => ({
  sessionId,
  pollId: 'p1',
  status: 'open',
  candidates: [
    { index: 0, label: 'warm', personaVotes: 3, peopleVotes: 1 },
    { index: 1, label: 'quiet', personaVotes: 2, peopleVotes: 4 },
    { index: 2, label: 'soft_*handle*', personaVotes: 1, peopleVotes: 0 },
  ],
  peopleVoters: 5,
  personaVoters: 3,
  threshold: 0.6,
  maxChoices: 2,
});
const closed = (sessionId: string): PollView => ({ ...open(sessionId), status: 'closed', candidates: open(sessionId).candidates.map((candidate) => ({ ...candidate, passed: candidate.label === 'quiet' })) });

describe('the closed poll as its result', () => {
  it('says every keyword’s votes and which were chosen, in the session’s language, without buttons', () => {
    expect(renderPollResult(closed('s'))).toBe(
      [
        '🗳️ **Vote closed** — a keyword needed 60 % of voters.',
        '',
        '▫️ **warm** — people 1, panel 3',
        '✅ **quiet** — people 4, panel 2 — **chosen**',
        '▫️ **soft\\_\\*handle\\*** — people 0, panel 1',
        '',
        'Ballots: 5 from people, 3 from the panel.',
      ].join('\n'),
    );
    expect(renderPollResult(closed('s'), 'zh')).toContain('✅ **quiet** —— 参与者 4，嘉宾 2 —— **当选**');
    const none = { ...closed('s'), candidates: closed('s').candidates.map((candidate) => ({ ...candidate, passed: false })) };
    expect(renderPollResult(none)).toContain('No keyword was chosen.');
    expect(renderPollComponents(closed('s'))).toEqual([]);
  });

  it('fits 2,000 characters, counting the keywords it leaves out', () => {
    // Keyword labels are at most 40 characters (src/engine/keyword-pool.ts), candidates at most 25;
    // Markdown characters in them are escaped, so they may show longer.
    const candidates = Array.from({ length: 25 }, (_, index) => ({ index, label: `keyword ${String(index).padStart(2, '0')} ${'_'.repeat(29)}`, personaVotes: 10, peopleVotes: 1000 + index, passed: index === 0 }));
    const text = renderPollResult({ ...closed('s'), candidates });
    expect(text.length).toBeLessThanOrEqual(2_000);
    expect(text).toMatch(/…and \d+ more\.\n\nBallots/);
    // The chosen keyword stays, then the most voted; the least voted are the ones counted.
    expect(text).toContain('✅ **keyword 00');
    expect(text).toContain('keyword 24');
    expect(text).not.toContain('keyword 01');
  });
});

describe('the closed poll through the adapter and the emulator', () => {
  let emulator: DiscordEmulator;
  let redis: RedisClient;
  let prefix: string;
  let rest: REST;
  let adapter: DiscordChatAdapter;
  const logger = createLogger('silent');

  beforeAll(async () => {
    emulator = await DiscordEmulator.start();
    redis = testRedis();
    prefix = uniqueName('dpoll');
    const keys = new RedisKeys(prefix);
    rest = new REST({ api: emulator.apiUrl }).setToken(emulator.token);
    const config = configFrom({ DISCORD_EDIT_INTERVAL_MS: 150 });
    const pacing = new DiscordPacing(new RateBudget(redis, keys), config);
    const botUserId = botUserIdLoader(new Client({ intents: [] }), rest);
    const registry = new WebhookRegistry(rest, redis, keys, undefined, botUserId);
    const names = new PersonaNames(redis, keys);
    const poster = new DiscordPoster({ rest, registry, names, pacing, redis, keys, logger });
    adapter = new DiscordChatAdapter({ rest, config, poster, pacing, registry, names, logger, botUserId, languageOf: async () => 'zh' });
  });
  afterAll(async () => {
    await emulator.close();
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  it('turns the poll message into the result and removes its buttons; a refresh after the close leaves it so', async () => {
    const starter = (await rest.post(Routes.channelMessages(emulator.channelId), { body: { content: 'topic' } })) as { id: string };
    const thread = (await rest.post(Routes.threads(emulator.channelId, starter.id), { body: { name: 'topic' } })) as { id: string };
    const sessionId = buildSessionId({ platform: 'discord', channel: emulator.channelId, thread: thread.id });
    const ref = await adapter.showPoll(open(sessionId), undefined);
    const messageId = decodeMessageRef(ref)?.messageId ?? '';
    const message = () => emulator.state.messages.get(messageId)?.json;
    expect((message()?.components as unknown[]).length).toBeGreaterThan(0);

    await adapter.showPoll(closed(sessionId), ref);
    expect(String(message()?.content)).toContain('🗳️ **投票已结束** —— 关键词需要获得 60% 投票人的支持。');
    expect(String(message()?.content)).toContain('✅ **quiet** —— 参与者 4，嘉宾 2 —— **当选**');
    expect(String(message()?.content)).toContain('▫️ **warm** —— 参与者 1，嘉宾 3');
    expect(message()?.components).toEqual([]);

    // A coalesced refresh that read the open poll before the close: its fresh read finds nothing
    // open, so it does not put the ballot back over the result.
    await adapter.showPoll(open(sessionId), ref, async () => undefined);
    expect(String(message()?.content)).toContain('投票已结束');
    expect(message()?.components).toEqual([]);
  });

  it('reads the poll again after its write, so a click shown meanwhile is not covered by an older count', async () => {
    const starter = (await rest.post(Routes.channelMessages(emulator.channelId), { body: { content: 'topic' } })) as { id: string };
    const thread = (await rest.post(Routes.threads(emulator.channelId, starter.id), { body: { name: 'topic' } })) as { id: string };
    const sessionId = buildSessionId({ platform: 'discord', channel: emulator.channelId, thread: thread.id });
    const before = open(sessionId);
    const ref = await adapter.showPoll(before, undefined);
    const messageId = decodeMessageRef(ref)?.messageId ?? '';
    // The refresh reads the poll as it was; a click lands (and shows itself) before the write; the next read has it.
    const clicked: PollView = { ...before, peopleVoters: before.peopleVoters + 1, candidates: before.candidates.map((candidate, index) => (index === 0 ? { ...candidate, peopleVotes: candidate.peopleVotes + 1 } : candidate)) };
    const reads = [before, clicked, clicked];
    await adapter.showPoll(before, ref, async () => reads.shift());
    expect(reads).toHaveLength(0);
    expect(String(emulator.state.messages.get(messageId)?.json.content)).toBe(renderPollText(clicked));
  });
});
