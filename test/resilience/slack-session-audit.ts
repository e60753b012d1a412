/**
 * What the fault-injection tests share: a scripted session driven through the Slack emulator as
 * people would (mention → the panel's rounds → a person's message → vote by button → close →
 * end), a model whose every answer is unique (a re-asked turn says something new, so any leftover
 * of an interrupted attempt shows), and the audit of one session's thread against its transcript.
 */
import { expect } from 'vitest';
import type { SlackEmulator } from '../slack-emulator/slack-emulator.ts';
import type { EmulatedMessage, EmulatedUser } from '../slack-emulator/workspace.ts';
import type { RecordedRequest } from '../fake-openai/fake-openai-server.ts';
import type { RoundtableService } from '../../src/engine/roundtable-service.ts';
import type { TranscriptEntry } from '../../src/session/session-types.ts';
import { splitMessage } from '../../src/outbound/split-message.ts';
import { slackMessageLimit } from '../../adapters/slack/slack-chat-adapter.ts';
import { ballotActionPrefix, closeActionId } from '../../adapters/slack/poll-blocks.ts';
import { toSlackMrkdwn } from '../../adapters/slack/mrkdwn.ts';
import { t } from '../../src/i18n/translate.ts';
import { until } from '../slack-e2e/slack-e2e-harness.ts';
import type { RunningApp } from '../../src/app/start-app.ts';
import { stepJobId } from '../../src/pipeline/step-queue.ts';

/**
 * Where a session's step job stands, for a failure message: the meta's seq/epoch/revivals and
 * agenda, the job of that step (state, attempts, failure, data, times), its lock's TTL, the
 * pending index's mark, and the jobs of the same step under other epochs.
 */
export async function describeLiveness(app: Pick<RunningApp, 'redis' | 'queue' | 'store' | 'keys'>, sessionId: string): Promise<Record<string, unknown>> {
  const meta = await app.redis.hmget(app.store.key('meta', sessionId), 'seq', 'epoch', 'revivals', 'agenda', 'status', 'stage');
  const [seq, epoch] = [Number(meta[0] ?? 0), Number(meta[1] ?? 0)];
  const jobId = stepJobId(sessionId, seq, epoch);
  const job = await app.queue.queue.getJob(jobId);
  const jobs = [];
  for (let other = 0; other <= epoch + 1; other += 1) {
    const id = stepJobId(sessionId, seq, other);
    jobs.push({ id, state: await app.queue.queue.getJobState(id) });
  }
  return {
    meta: { seq, epoch, revivals: meta[2], agenda: meta[3]?.slice(0, 300), status: meta[4], stage: meta[5] },
    state: await app.queue.jobState(sessionId, seq, epoch),
    job: job && { attemptsMade: job.attemptsMade, failedReason: job.failedReason, data: job.data, timestamp: job.timestamp, processedOn: job.processedOn, finishedOn: job.finishedOn, delay: job.delay, now: Date.now() },
    lockTtlMs: await app.redis.pttl(app.queue.lockKey(jobId)),
    pendingMark: await app.redis.zscore(app.keys.pendingSessions(), sessionId),
    inbox: await app.redis.llen(app.store.key('inbox', sessionId)),
    counts: await app.queue.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized'),
    jobs,
  };
}

/** Unique speech per model call; every seventh one long enough to be split into two messages. */
export function uniqueSpeech(_request: RecordedRequest, index: number): string {
  const base = `Speech ${index}: the panel considers felt, light and weight for this lamp.`;
  return index % 7 === 3 ? `${base} ${`Long remark number ${index} about materials and seams. `.repeat(70)}That is all.` : base;
}

export interface ScriptedSession {
  sessionId: string;
  channel: string;
  threadTs: string;
}

/** Drives one session from mention to end; throws (with where it stood) if a phase never settles. */
export async function runScriptedSession(
  emulator: SlackEmulator,
  roundtable: RoundtableService,
  sessionIdFor: (channel: string, threadTs: string) => string,
  person: EmulatedUser,
  index: number,
  timeoutMs: number,
  diagnose?: (sessionId: string) => Promise<unknown>,
): Promise<ScriptedSession> {
  const channel = emulator.addChannel(`fault-${index}`).id;
  const mention = await emulator.userMentions(person, channel, `Topic ${index}: a felt lamp for a small room`);
  const sessionId = sessionIdFor(channel, mention.ts);
  let last: Awaited<ReturnType<RoundtableService['status']>> | undefined;
  const settled = async (what: string, check: (status: Awaited<ReturnType<RoundtableService['status']>>) => boolean = () => true) => {
    try {
      await until(async () => {
        const status = (last = await roundtable.status(sessionId));
        return status !== undefined && status.pendingSteps === 0 && status.pendingActions === 0 && check(status);
      }, `session ${index}: ${what}`, timeoutMs);
    } catch (error) {
      // Where it stood, for whoever reads the failure: stage, pending work, poll.
      const where = last ? { stage: last.stage, pendingSteps: last.pendingSteps, pendingActions: last.pendingActions, poll: last.poll?.status, ended: last.ended } : 'no status';
      const liveness = diagnose ? await diagnose(sessionId).catch((failure: unknown) => `diagnosis failed: ${String(failure)}`) : undefined;
      throw new Error(`${error instanceof Error ? error.message : String(error)} (${sessionId}; last status ${JSON.stringify(where)}${liveness === undefined ? '' : `; liveness ${JSON.stringify(liveness)}`})`);
    }
  };
  await settled('the pause after the rounds', (status) => status?.stage === 'paused');
  await emulator.userReplies(person, channel, mention.ts, `Question ${index}: what about felt that can be washed?`);
  await until(async () => (await roundtable.status(sessionId))?.pendingActions === 0, `session ${index}: the question taken`, timeoutMs);
  await settled('the answer to the question');
  await emulator.userMentions(person, channel, 'vote', { threadTs: mention.ts });
  const poll = await emulator.waitFor(() => emulator.thread(channel, mention.ts).find((message) => JSON.stringify(message.blocks ?? []).includes(`${ballotActionPrefix}0`)), {
    timeoutMs,
    message: `session ${index}: the poll`,
  });
  await settled('the panel ballots', (status) => status?.stage === 'voting');
  await emulator.userClicks(person, channel, poll.ts, `${ballotActionPrefix}0`);
  await until(async () => (await roundtable.status(sessionId))?.poll?.peopleVoters === 1, `session ${index}: the person's ballot`, timeoutMs);
  await emulator.userClicks(person, channel, poll.ts, closeActionId);
  await settled('the vote result', (status) => status?.poll?.status === 'closed');
  await emulator.userMentions(person, channel, 'end', { threadTs: mention.ts });
  await settled('the end', (status) => status?.ended === true);
  return { sessionId, channel, threadTs: mention.ts };
}

/** Slack text back to the words: entities decoded, invisible neutralising characters removed. */
function normalise(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/[\u200b\u2060]/g, '')
    .trim();
}

function count(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

export interface AuditResult {
  personaMessages: number;
  moderatorMessages: number;
  pollMessages: number;
}

/** A poll's own message: the vote as blocks (its header, or a ballot button), open or closed. */
function isPollMessage(message: EmulatedMessage): boolean {
  const json = JSON.stringify(message.blocks ?? []);
  return json.includes('"block_id":"poll_header"') || json.includes(`"action_id":"${ballotActionPrefix}`);
}

/** The sessions are English: the moderator's catalog lines the audit must recognise. */
const candidatesLine = `\n${t('en', 'vote.candidates', { candidates: '' })}`;
const [pausePrefix = ''] = toSlackMrkdwn(t('en', 'pause.post', { synthesis: '\u0000', commands: '' })).split('\u0000');
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const endedPattern = new RegExp(`^${t('en', 'closing.ended', { name: '\u0000' }).split('\u0000').map(escapeRegExp).join('.+')}$`);

/** A poll-open step's entry: its post's text, then the candidates (the poll's own message shows them). */
function opensPoll(entry: TranscriptEntry): boolean {
  return entry.kind === 'moderator' && entry.text.includes(candidatesLine);
}

/**
 * What a moderator entry shows in the thread: its text split at Slack's limit and rendered as
 * the adapter renders it — without the candidates line of a poll-open entry.
 */
function moderatorParts(entry: TranscriptEntry): string[] {
  const text = opensPoll(entry) ? entry.text.slice(0, entry.text.indexOf(candidatesLine)) : entry.text;
  return splitMessage(text, slackMessageLimit).map((part) => normalise(toSlackMrkdwn(part)));
}

/** The pause's post wraps its entry (the synthesis): "*Pause.* {synthesis}\n\nWhat next? …". */
function shows(post: string, part: string): boolean {
  return post === part || (post.startsWith(normalise(pausePrefix)) && post.slice(normalise(pausePrefix).length).trimStart().startsWith(`${part}\n\n`));
}

/**
 * One session's thread against its transcript: every persona message the platform shows is
 * exactly one part of one transcript entry and every part is shown exactly once (no duplicate
 * chunk, no orphan of an interrupted attempt, nothing missing); no stream left open; exactly one
 * poll message per poll the transcript opened (a second live poll of a retried step has other
 * text than the first, so only the count catches it); the moderator's messages are exactly its
 * transcript entries, each shown once (plus the closing's "ended" line and its files); one
 * transcript file, one vote chart (a chart block or its picture); nothing skipped.
 */
export function auditThread(emulator: SlackEmulator, session: ScriptedSession, transcript: TranscriptEntry[]): AuditResult {
  const label = session.sessionId;
  const thread = emulator.thread(session.channel, session.threadTs).slice(1);
  const bot = thread.filter((message: EmulatedMessage) => message.botId === emulator.workspace.botId);
  expect(bot.filter((message) => message.streaming === 'open').map((message) => message.text), `${label}: streams left open`).toEqual([]);

  // A skipped step leaves its interrupted message too: the skip is named first, as the cause.
  const moderator = bot.filter((message) => message.username === undefined && message.text.trim() !== '');
  expect(moderator.filter((message) => /Skipped:/.test(message.text)).map((message) => message.text), `${label}: skipped steps`).toEqual([]);

  const expectedParts = transcript
    .filter((entry) => entry.kind === 'persona')
    .flatMap((entry) => splitMessage(entry.text.replace(/^\(vote\) /, ''), slackMessageLimit))
    .map(normalise);
  const shownParts = bot.filter((message) => message.username !== undefined).map((message) => normalise(message.text));
  const expected = count(expectedParts);
  const shown = count(shownParts);
  const differences: string[] = [];
  const excerpt = (text: string) => (text.length > 160 ? `${text.slice(0, 90)} … ${text.slice(-60)}` : text);
  for (const [text, times] of shown) if (expected.get(text) !== times) differences.push(`shown ${times}× but ${expected.get(text) ?? 0}× in the transcript: ${excerpt(text)}`);
  for (const [text, times] of expected) if (!shown.has(text)) differences.push(`in the transcript ${times}× but never shown: ${excerpt(text)}`);
  expect(differences, `${label}: persona messages against the transcript`).toEqual([]);

  // Polls: one message per poll, whatever its text became (a stray second poll differs from the updated first).
  const polls = transcript.filter(opensPoll).length;
  const pollMessages = bot.filter(isPollMessage);
  expect(pollMessages.map((message) => excerpt(normalise(message.text))), `${label}: poll messages (${polls} polls in the transcript)`).toHaveLength(polls);

  // The moderator: every message is one part of one transcript entry, every part shown once.
  const posts = moderator.filter((message) => !isPollMessage(message)).map((message) => normalise(message.text));
  const ended = posts.filter((text) => endedPattern.test(text));
  expect(ended, `${label}: the closing's "ended" line`).toHaveLength(transcript.some((entry) => entry.stage === 'closing') ? 1 : 0);
  const unmatched = posts.filter((text) => !endedPattern.test(text));
  const moderatorDifferences: string[] = [];
  for (const part of transcript.filter((entry) => entry.kind === 'moderator').flatMap(moderatorParts)) {
    const index = unmatched.findIndex((post) => post === part);
    const found = index >= 0 ? index : unmatched.findIndex((post) => shows(post, part));
    if (found >= 0) unmatched.splice(found, 1);
    else moderatorDifferences.push(`in the transcript but never shown (or shown fewer times): ${excerpt(part)}`);
  }
  for (const post of unmatched) moderatorDifferences.push(`shown but not in the transcript (or shown more times): ${excerpt(post)}`);
  expect(moderatorDifferences, `${label}: moderator messages against the transcript`).toEqual([]);

  const files = bot.flatMap((message) => message.files ?? []);
  expect(files.filter((file) => file.name.endsWith('.md')), `${label}: transcript files`).toHaveLength(1);
  // The vote's chart: drawn by Slack (a chart block in the result), or — where the workspace
  // refuses chart blocks — its picture; exactly one of them, once.
  const chartBlocks = bot.filter((message) => (message.blocks ?? []).some((block) => (block as { type?: string }).type === 'data_visualization'));
  const chartPictures = files.filter((file) => file.name.endsWith('.png'));
  expect(chartBlocks.length + chartPictures.length, `${label}: vote charts (${chartBlocks.length} chart blocks, ${chartPictures.length} pictures)`).toBe(1);

  const entries = transcript.map((entry) => `${entry.kind}|${entry.speakerId}|${entry.text}`);
  expect([...count(entries)].filter(([, times]) => times > 1).map(([entry]) => entry.slice(0, 100)), `${label}: transcript duplicates`).toEqual([]);
  expect(transcript.filter((entry) => entry.kind === 'person').length, `${label}: the person's message in the transcript`).toBe(1);
  return { personaMessages: shownParts.length, moderatorMessages: moderator.length, pollMessages: pollMessages.length };
}
