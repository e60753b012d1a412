/**
 * Keywords and the vote: each persona's keywords (structured output), the merged pool opened as
 * a poll, one ballot per persona restricted to the candidates, people's ballots, and the tally
 * with its chart.
 */
import { z } from 'zod';
import { TableRoundError } from '../../errors.ts';
import type { Ballot, PollState, StepOf } from '../../session/session-types.ts';
import { defineStep, personaName } from '../step-kind.ts';
import { mergeKeywords } from '../keyword-pool.ts';
import { buildPollView, peopleChoiceLimit } from '../poll-view.ts';
import { ballotMessages, keywordMessages } from '../prompt-builder.ts';
import { cleanSpeech, earlierPayload, entry, moderator, personaById, postOnce, promptInputs, recordUsage, savePayload, type StepContext, type StepOutcome } from '../step-context.ts';
import { sendOnce } from '../../pipeline/step-outbox.ts';
import { tallyVotes } from '../vote-tally.ts';

const keywordsSchema = z.object({ keywords: z.array(z.string().min(1).max(80)).min(1).max(15) });

/** Models often answer a bare list, or one string of comma-separated words. */
export function coerceKeywords(raw: unknown): unknown {
  if (Array.isArray(raw)) return { keywords: raw.map(String) };
  if (typeof raw === 'string') return { keywords: raw.split(/[,，、;；\n]+/).map((word) => word.trim()).filter(Boolean) };
  if (raw && typeof raw === 'object' && !('keywords' in raw)) {
    const list = Object.values(raw).find(Array.isArray);
    if (list) return { keywords: list.map(String) };
  }
  return raw;
}

/** A bare list of numbers, or numbers given as strings, is a ballot too. */
export function coerceBallot(raw: unknown): unknown {
  const numbers = (list: unknown[]) => list.map((item) => (typeof item === 'string' ? Number.parseInt(item, 10) : item));
  if (Array.isArray(raw)) return { choices: numbers(raw) };
  if (raw && typeof raw === 'object' && 'choices' in raw && Array.isArray(raw.choices)) return { ...raw, choices: numbers(raw.choices) };
  return raw;
}
export const keywordRange = { min: 5, max: 10 } as const;

export async function runKeywords(context: StepContext, step: StepOf<'keywords'>): Promise<StepOutcome> {
  const persona = personaById(context, step.personaId);
  if (!persona) throw new TableRoundError('internal', `unknown persona ${step.personaId}`);
  const { value } = await context.deps.models.json(keywordsSchema, 'keywords', {
    messages: keywordMessages(promptInputs(context), persona, keywordRange.min, keywordRange.max),
    coerce: coerceKeywords,
    model: persona.model,
    logger: context.logger.child({ persona: persona.id }),
    onUsage: (usage) => recordUsage(context, usage),
  });
  return { notes: { [`${persona.id}:keywords`]: JSON.stringify(value.keywords.slice(0, keywordRange.max)) } };
}

export async function runPollOpen(context: StepContext): Promise<StepOutcome> {
  const notes = await context.deps.store.notes(context.sessionId);
  const proposals: { personaId: string; keywords: string[] }[] = [];
  for (const persona of context.panel.personas) {
    const raw = notes[`${persona.id}:keywords`];
    if (raw) proposals.push({ personaId: persona.id, keywords: JSON.parse(raw) as string[] });
  }
  // Keywords drawn from image stories join the pool too.
  for (const [field, raw] of Object.entries(notes)) {
    const match = /^(.+):image_keywords:/.exec(field);
    if (match?.[1]) proposals.push({ personaId: match[1], keywords: JSON.parse(raw) as string[] });
  }
  const candidates = mergeKeywords(proposals, context.deps.config.KEYWORDS_MAX_CANDIDATES);
  if (candidates.length < 2) {
    const text = 'Not enough keywords came out of the discussion to vote on. Keep talking, then try `/vote` again.';
    await postOnce(context, 'poll-empty', moderator, text);
    return { transcript: [entry(context, { kind: 'moderator', speakerId: 'moderator', speakerName: 'Moderator', text })], followUps: [], meta: { stage: 'paused' } };
  }
  const poll: PollState = {
    pollId: `p${context.meta.pollCount + 1}`,
    status: 'open',
    candidates: candidates.map((candidate) => candidate.label),
    openedAt: Date.now(),
  };
  const maxChoices = peopleChoiceLimit(poll.candidates.length, context.deps.config.PERSONA_BALLOT_SIZE);
  const text = `**Vote on the keywords** — pick up to ${maxChoices}. A keyword passes with ${Math.round(context.deps.config.VOTE_THRESHOLD * 100)} % of voters. The panel votes too.`;
  await postOnce(context, 'poll-intro', moderator, text);
  const messageId = await showPoll(context, poll, {});
  return {
    candidates,
    poll: { ...poll, ...(messageId ? { messageId } : {}) },
    ballots: null,
    meta: { stage: 'voting', pollCount: context.meta.pollCount + 1 },
    transcript: [entry(context, { kind: 'moderator', speakerId: 'moderator', speakerName: 'Moderator', text: `${text}\nCandidates: ${poll.candidates.map((label, index) => `${index + 1}. ${label}`).join(', ')}` })],
  };
}

/**
 * Posts the poll (first time: once, through the step outbox) or updates it in place (an update
 * is idempotent). Returns the poll message's ref.
 */
export async function showPoll(context: StepContext, poll: PollState, ballots: Record<string, Ballot>): Promise<string | undefined> {
  const config = context.deps.config;
  const view = buildPollView(context.sessionId, poll, Object.values(ballots), config.VOTE_THRESHOLD, peopleChoiceLimit(poll.candidates.length, config.PERSONA_BALLOT_SIZE));
  const { adapter } = context;
  if (adapter.showPoll) {
    if (poll.messageId) return adapter.showPoll(view, poll.messageId);
    const { ref } = await sendOnce(context.outbox, adapter, `poll:${poll.pollId}`, 0, { sessionId: context.sessionId, speaker: moderator, text: '', poll: true }, () => adapter.showPoll!(view, undefined), context.logger);
    return ref;
  }
  const lines = view.candidates.map((candidate) => `${candidate.index + 1}. ${candidate.label} — ${candidate.personaVotes + candidate.peopleVotes} vote(s)`);
  const [ref] = await postOnce(context, `poll-list:${poll.pollId}:${poll.status}`, moderator, lines.join('\n'));
  return ref;
}

const ballotSchema = z.object({ choices: z.array(z.number().int()).min(1).max(10), reason: z.string().max(400).optional() });

export async function runPersonaBallot(context: StepContext, step: StepOf<'persona-ballot'>): Promise<StepOutcome> {
  const persona = personaById(context, step.personaId);
  const poll = await context.deps.store.poll(context.sessionId);
  if (!persona || !poll || poll.status !== 'open') return {};
  const size = Math.min(context.deps.config.PERSONA_BALLOT_SIZE, poll.candidates.length);
  const key = `ballot:${persona.id}:${poll.pollId}`;
  // A re-run after the ballot was posted keeps that ballot rather than asking the model again.
  const earlier = earlierPayload(context, key);
  const value = earlier
    ? ballotSchema.parse(JSON.parse(earlier))
    : (
        await context.deps.models.json(ballotSchema, 'ballot', {
          messages: ballotMessages(promptInputs(context), persona, poll.candidates, size),
          coerce: coerceBallot,
          model: persona.model,
          logger: context.logger.child({ persona: persona.id }),
          onUsage: (usage) => recordUsage(context, usage),
        })
      ).value;
  // Restricted to the candidates: out-of-range numbers and repeats are dropped.
  const choices = [...new Set(value.choices.map((choice) => choice - 1))].filter((index) => index >= 0 && index < poll.candidates.length).slice(0, size);
  if (choices.length === 0) throw new TableRoundError('model_bad_output', `${persona.id} chose no valid candidate`, { publicMessage: `${persona.displayName} did not cast a valid ballot.` });
  const ballot: Ballot = { voterKind: 'persona', voterName: persona.displayName, choices, ...(value.reason ? { reason: value.reason } : {}) };
  const chosen = choices.map((index) => poll.candidates[index]).join(', ');
  const text = `🗳️ ${chosen}${value.reason ? ` — ${cleanSpeech(value.reason, persona)}` : ''}`;
  const identity = await context.deps.identityOf(persona);
  if (earlier === undefined) await savePayload(context, key, JSON.stringify(value));
  await postOnce(context, key, { kind: 'persona', persona: identity }, text);
  // The poll's message shows it after the commit, coalesced with people's clicks (a direct
  // update per panel ballot would cost a platform write each).
  if (context.deps.polls) context.deps.polls.request(context.sessionId);
  else await showPoll(context, poll, { ...(await context.deps.store.ballots(context.sessionId)), [`persona:${persona.id}`]: ballot });
  return {
    ballots: { [`persona:${persona.id}`]: ballot },
    transcript: [entry(context, { kind: 'persona', speakerId: persona.id, speakerName: persona.displayName, text: `(vote) ${text}` })],
  };
}

export async function runPollClose(context: StepContext): Promise<StepOutcome> {
  const poll = await context.deps.store.poll(context.sessionId);
  if (!poll || poll.status !== 'open') {
    const text = 'There is no open vote to close.';
    await postOnce(context, 'poll-close-none', moderator, text);
    return {};
  }
  const ballots = await context.deps.store.ballots(context.sessionId);
  const config = context.deps.config;
  const candidates = await context.deps.store.candidates(context.sessionId);
  const support = poll.candidates.map((label) => candidates.find((candidate) => candidate.label === label)?.sources.length ?? 0);
  const result = tallyVotes(poll.candidates, Object.values(ballots), config.VOTE_THRESHOLD, config.KEYWORDS_MAX_CANDIDATES, support);
  const closed: PollState = { ...poll, status: 'closed', closedAt: Date.now(), winners: result.winners };
  await showPoll(context, closed, ballots);
  const counts = result.rows
    .filter((row) => row.total > 0)
    .sort((a, b) => b.total - a.total || a.index - b.index)
    .map((row) => `${row.label}: ${row.total} (panel ${row.personaVotes}, people ${row.peopleVotes})`)
    .join('; ');
  const text =
    result.winners.length > 0
      ? `**Vote closed.** ${result.voters} voters; a keyword needed ${result.needed}. Chosen: **${result.winners.join(', ')}**.\n${counts}`
      : `**Vote closed.** ${result.voters} voters; no keyword reached ${result.needed} votes${result.leading.length ? ` — the leaders were ${result.leading.join(', ')}` : ''}. ${counts || 'No ballots were cast.'}`;
  let files;
  try {
    const chart = await context.deps.images.voteChart(
      `${context.meta.topic.slice(0, 60)} — vote`,
      result.rows.map((row) => ({ label: row.label, personaVotes: row.personaVotes, peopleVotes: row.peopleVotes })),
      result.needed,
    );
    files = [{ filename: `vote-${poll.pollId}.png`, contentType: 'image/png', bytes: chart, description: 'Bar chart of the vote' }];
  } catch (error) {
    context.logger.warn({ err: error }, 'vote chart failed; posting the result without it');
  }
  await postOnce(context, `poll-result:${poll.pollId}`, moderator, text, files);
  return {
    poll: closed,
    meta: { stage: 'paused', votedKeywords: result.winners.length ? result.winners : context.meta.votedKeywords },
    transcript: [entry(context, { kind: 'moderator', speakerId: 'moderator', speakerName: 'Moderator', text })],
  };
}

export const keywordsStep = defineStep({
  kind: 'keywords',
  run: runKeywords,
  usesModel: true,
  buildsPrompt: true,
  stage: () => ({ stage: 'keywords' }),
  describe: (step, panel) => `${personaName(panel, step.personaId)}'s keywords`,
});
export const pollOpenStep = defineStep({ kind: 'poll-open', run: runPollOpen, usesModel: false, describe: () => 'the vote' });
export const personaBallotStep = defineStep({ kind: 'persona-ballot', run: runPersonaBallot, usesModel: true, describe: (step, panel) => `${personaName(panel, step.personaId)}'s ballot` });
export const pollCloseStep = defineStep({ kind: 'poll-close', run: runPollClose, usesModel: false, describe: () => 'the vote result' });
