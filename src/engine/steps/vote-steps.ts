/**
 * Keywords and the vote: each persona's keywords (structured output), the merged pool opened as
 * a poll, one ballot per persona restricted to the candidates, people's ballots, and the tally
 * with its chart.
 *
 * Structured answers are repaired before they are rejected (keyword-repair.ts, ballot-repair.ts),
 * the gateway retries an unusable one once, and only then is the answer skipped — without failing
 * the step: a persona without usable keywords proposes none (named only if the pool ends up too
 * small to vote on), a persona without a usable ballot is recorded as not voting and all of them
 * are named in ONE notice per poll (missing-ballots.ts). Each answer's outcome is reported
 * (structured-outcome.ts). A muted persona (speakers.ts) proposes no keywords and casts no ballot:
 * its steps are not planned, its notes from an earlier vote are left out, and the panel is
 * accounted for without it.
 */
import { z } from 'zod';
import { TableRoundError } from '../../errors.ts';
import type { Panel, Persona } from '../../panels/panel-schema.ts';
import type { Ballot, PollState, StepOf } from '../../session/session-types.ts';
import { defineStep, personaName } from '../step-kind.ts';
import { mergeKeywords } from '../keyword-pool.ts';
import { buildPollView, peopleChoiceLimit } from '../poll-view.ts';
import { ballotPrompt, keywordPrompt } from '../prompt-builder.ts';
import { callAccounting, cleanSpeech, commandUsage, earlierPayload, entry, moderator, personaById, postOnce, promptInputs, savePayload, type StepContext, type StepOutcome } from '../step-context.ts';
import { sendOnce } from '../../pipeline/send-once.ts';
import { deliverPost } from '../../outbound/deliver-post.ts';
import type { ChartData, OutboundFile } from '../../adapter/chat-adapter.ts';
import { voteChartAltText } from '../vote-alt-text.ts';
import { tallyVotes } from '../vote-tally.ts';
import { keywordsSchema, repairKeywords } from '../keyword-repair.ts';
import { ballotSchemaFor, repairBallot, type BallotAnswer } from '../ballot-repair.ts';
import { isUnusableAnswer, outcomeOf, reportOutcome, structuredOutcomes, trackRepairs, type StructuredOutcome } from '../structured-outcome.ts';
import { announceMissingBallots, missingBallotField, panelAccountedFor } from '../missing-ballots.ts';
import { joinList, joinWithAnd, t } from '../../i18n/translate.ts';
import { isMuted, speakingPanel } from '../speakers.ts';
import { openingPollId } from '../poll-opening.ts';

export const keywordRange = { min: 5, max: 10 } as const;

const keywordsField = (personaId: string) => `${personaId}:keywords`;

export async function runKeywords(context: StepContext, step: StepOf<'keywords'>): Promise<StepOutcome> {
  const persona = personaById(context, step.personaId);
  if (!persona) throw new TableRoundError('internal', `unknown persona ${step.personaId}`);
  const logger = context.logger.child({ persona: persona.id });
  const repair = trackRepairs(keywordsSchema, repairKeywords);
  let keywords: string[] = [];
  let outcome: StructuredOutcome;
  const prompt = keywordPrompt(promptInputs(context), persona, keywordRange.min, keywordRange.max);
  try {
    const result = await context.deps.models.json(keywordsSchema, 'keywords', {
      messages: prompt.messages,
      maxTokens: prompt.maxTokens,
      coerce: repair.coerce,
      model: persona.model,
      logger,
      ...callAccounting(context, persona.id),
    });
    keywords = result.value.keywords.slice(0, keywordRange.max);
    outcome = outcomeOf(result, repair);
  } catch (error) {
    if (!isUnusableAnswer(error)) throw error;
    outcome = 'skipped';
    logger.warn({ err: error }, 'no usable keywords; this persona proposes none');
  }
  const notes = await context.deps.store.notes(context.sessionId);
  // An empty list (not a stale one from an earlier vote) records "gave none" for the poll-open step.
  return { notes: { [keywordsField(persona.id)]: JSON.stringify(keywords), ...reportOutcome({ ...context, logger }, notes, 'keywords', outcome) } };
}

/** Panelists whose last keywords step gave nothing usable. */
function withoutKeywords(panel: Panel, notes: Record<string, string>): Persona[] {
  return panel.personas.filter((persona) => notes[keywordsField(persona.id)] === '[]');
}

export async function runPollOpen(context: StepContext): Promise<StepOutcome> {
  const notes = await context.deps.store.notes(context.sessionId);
  const proposals: { personaId: string; keywords: string[] }[] = [];
  // A muted persona proposes nothing (its notes from an earlier vote stay out of this one).
  const panel = speakingPanel(context.panel, context.meta);
  for (const persona of panel.personas) {
    const raw = notes[keywordsField(persona.id)];
    if (raw) proposals.push({ personaId: persona.id, keywords: JSON.parse(raw) as string[] });
  }
  // Keywords drawn from image stories join the pool too.
  for (const [field, raw] of Object.entries(notes)) {
    const match = /^(.+):image_keywords:/.exec(field);
    if (match?.[1] && !isMuted(context.meta, match[1])) proposals.push({ personaId: match[1], keywords: JSON.parse(raw) as string[] });
  }
  const { language } = context.meta;
  const candidates = mergeKeywords(proposals, context.deps.config.KEYWORDS_MAX_CANDIDATES);
  if (candidates.length < 2) {
    // Who gave no usable keywords matters only here: with enough candidates the vote is whole anyway.
    const silent = withoutKeywords(panel, notes).map((persona) => persona.displayName);
    const text = `${t(language, 'vote.notEnoughKeywords', { usage: commandUsage(context, 'vote') })}${silent.length ? t(language, 'vote.noKeywordsFrom', { names: joinWithAnd(language, silent) }) : ''}`;
    await postOnce(context, 'poll-empty', moderator, text);
    return { transcript: [entry(context, { kind: 'moderator', speakerId: 'moderator', speakerName: 'Moderator', text })], followUps: [], meta: { stage: 'paused' } };
  }
  const poll: PollState = {
    pollId: openingPollId(context.meta),
    status: 'open',
    candidates: candidates.map((candidate) => candidate.label),
    openedAt: Date.now(),
  };
  const maxChoices = peopleChoiceLimit(poll.candidates.length, context.deps.config.PERSONA_BALLOT_SIZE);
  const text = t(language, 'vote.intro', { max: maxChoices, percent: Math.round(context.deps.config.VOTE_THRESHOLD * 100) });
  await postOnce(context, 'poll-intro', moderator, text);
  const messageId = await showPoll(context, poll, {});
  return {
    candidates,
    poll: { ...poll, ...(messageId ? { messageId } : {}) },
    ballots: null,
    meta: { stage: 'voting', pollCount: context.meta.pollCount + 1 },
    transcript: [entry(context, { kind: 'moderator', speakerId: 'moderator', speakerName: 'Moderator', text: `${text}\n${t(language, 'vote.candidates', { candidates: joinList(language, poll.candidates.map((label, index) => `${index + 1}. ${label}`)) })}` })],
  };
}

/**
 * Posts the poll (first time: once, through the step outbox) or updates it in place (an update
 * is idempotent). Returns the poll message's ref.
 */
export async function showPoll(context: StepContext, poll: PollState, ballots: Record<string, Ballot>): Promise<string | undefined> {
  const config = context.deps.config;
  const built = buildPollView(context.sessionId, poll, Object.values(ballots), config.VOTE_THRESHOLD, peopleChoiceLimit(poll.candidates.length, config.PERSONA_BALLOT_SIZE));
  // A closed poll's message shows the result: which keywords were chosen.
  const winners = poll.status === 'closed' ? poll.winners : undefined;
  const view = winners ? { ...built, candidates: built.candidates.map((candidate) => ({ ...candidate, passed: winners.includes(candidate.label) })) } : built;
  const { adapter } = context;
  if (adapter.showPoll) {
    if (poll.messageId) return adapter.showPoll(view, poll.messageId);
    const { ref } = await sendOnce(context.outbox, adapter, `poll:${poll.pollId}`, 0, { sessionId: context.sessionId, speaker: moderator, text: '', poll: true }, () => adapter.showPoll!(view, undefined), context.logger);
    return ref;
  }
  const lines = view.candidates.map((candidate) => t(context.meta.language, 'vote.listLine', { number: candidate.index + 1, label: candidate.label, votes: candidate.personaVotes + candidate.peopleVotes }));
  const [ref] = await postOnce(context, `poll-list:${poll.pollId}:${poll.status}`, moderator, lines.join('\n'));
  return ref;
}

/** What a ballot step saves before posting (rule 2a of the outbox): the ballot, or that there was none. */
const savedBallotSchema = z.union([
  z.object({ missing: z.string(), outcome: z.literal('skipped') }),
  z.object({ choices: z.array(z.number().int()), reason: z.string().optional(), outcome: z.enum(structuredOutcomes).default('accepted') }),
]);
type SavedBallot = z.infer<typeof savedBallotSchema>;

/** Asks the persona's model for a ballot on `poll`; an unusable answer (after the gateway's retry) is an abstention. */
async function askBallot(context: StepContext, persona: Persona, poll: PollState, size: number): Promise<SavedBallot> {
  const schema = ballotSchemaFor(poll.candidates.length, size);
  const repair = trackRepairs(schema, (raw) => repairBallot(raw, poll.candidates, size));
  const prompt = ballotPrompt(promptInputs(context), persona, poll.candidates, size);
  try {
    const result = await context.deps.models.json<BallotAnswer>(schema, 'ballot', {
      messages: prompt.messages,
      maxTokens: prompt.maxTokens,
      coerce: repair.coerce,
      model: persona.model,
      logger: context.logger.child({ persona: persona.id }),
      ...callAccounting(context, persona.id),
    });
    return { choices: result.value.choices, ...(result.value.reason ? { reason: result.value.reason } : {}), outcome: outcomeOf(result, repair) };
  } catch (error) {
    if (!isUnusableAnswer(error)) throw error;
    return { missing: error.message.slice(0, 300), outcome: 'skipped' };
  }
}

export async function runPersonaBallot(context: StepContext, step: StepOf<'persona-ballot'>): Promise<StepOutcome> {
  const persona = personaById(context, step.personaId);
  const poll = await context.deps.store.poll(context.sessionId);
  if (!persona || !poll || poll.status !== 'open') return {};
  const size = Math.min(context.deps.config.PERSONA_BALLOT_SIZE, poll.candidates.length);
  const key = `ballot:${persona.id}:${poll.pollId}`;
  const logger = context.logger.child({ persona: persona.id });
  // A re-run after the answer was saved keeps it rather than asking the model again.
  const saved = earlierPayload(context, key);
  const earlier = saved === undefined ? undefined : savedBallotSchema.safeParse(JSON.parse(saved));
  const answer = earlier?.success ? earlier.data : await askBallot(context, persona, poll, size);
  if (!earlier?.success) await savePayload(context, key, JSON.stringify(answer));
  const [notes, ballots] = await Promise.all([context.deps.store.notes(context.sessionId), context.deps.store.ballots(context.sessionId)]);
  const outcomeNotes = reportOutcome({ ...context, logger }, notes, 'ballot', answer.outcome, { reused: earlier?.success === true });

  // Restricted to the candidates (the schema did; kept for ballots saved before it did).
  const choices = 'missing' in answer ? [] : [...new Set(answer.choices.map((choice) => choice - 1))].filter((index) => index >= 0 && index < poll.candidates.length).slice(0, size);
  if ('missing' in answer || choices.length === 0) {
    // Not a failed step: the abstention is recorded, and announced once for the whole panel.
    const problem = 'missing' in answer ? answer.missing : 'no valid candidate in the saved ballot';
    logger.warn({ problem }, 'no usable ballot; not counted');
    const stepNotes = { ...outcomeNotes, [missingBallotField(poll.pollId, persona.id)]: problem };
    const notice = panelAccountedFor(speakingPanel(context.panel, context.meta), poll.pollId, ballots, { ...notes, ...stepNotes }) ? await announceMissingBallots(context, poll, { ...notes, ...stepNotes }) : { notes: {}, transcript: [] };
    return { notes: { ...stepNotes, ...notice.notes }, transcript: notice.transcript };
  }
  const ballot: Ballot = { voterKind: 'persona', voterName: persona.displayName, choices, ...(answer.reason ? { reason: answer.reason } : {}) };
  const chosen = joinList(context.meta.language, choices.map((index) => poll.candidates[index] ?? ''));
  const text = `🗳️ ${chosen}${answer.reason ? ` — ${cleanSpeech(answer.reason, persona)}` : ''}`;
  const identity = await context.deps.identityOf(persona);
  await postOnce(context, key, { kind: 'persona', persona: identity }, text);
  const withThis = { ...ballots, [`persona:${persona.id}`]: ballot };
  // The poll's message shows it after the commit, coalesced with people's clicks (a direct
  // update per panel ballot would cost a platform write each).
  if (context.deps.polls) context.deps.polls.request(context.sessionId);
  else await showPoll(context, poll, withThis);
  // A muted persona casts no ballot: the panel is accounted for without it.
  const notice = panelAccountedFor(speakingPanel(context.panel, context.meta), poll.pollId, withThis, notes) ? await announceMissingBallots(context, poll, notes) : { notes: {}, transcript: [] };
  return {
    ballots: { [`persona:${persona.id}`]: ballot },
    notes: { ...outcomeNotes, ...notice.notes },
    transcript: [entry(context, { kind: 'persona', speakerId: persona.id, speakerName: persona.displayName, text: `(vote) ${text}` }), ...notice.transcript],
  };
}

/**
 * Closes the poll the step names (`pollId`), only while it is still open: a close queued behind a
 * close and a new vote never closes the newer poll. One the close was already done for says
 * nothing — the person was answered when they asked (commands/vote.ts), and the result was posted.
 * A close without a poll id (or no step: the closing summary closes the open poll) closes the poll
 * open when it runs; finding none (a vote being prepared when it was asked that ended without a
 * poll), it says so once.
 */
export async function runPollClose(context: StepContext, step?: StepOf<'poll-close'>): Promise<StepOutcome> {
  const { language } = context.meta;
  const poll = await context.deps.store.poll(context.sessionId);
  const pollId = step?.pollId;
  if (pollId !== undefined && (poll?.pollId !== pollId || poll.status !== 'open')) {
    context.logger.info({ pollId, current: poll?.pollId }, 'the poll this close names is no longer open; nothing to close');
    return {};
  }
  if (!poll || poll.status !== 'open') {
    const text = t(language, 'vote.noneOpen');
    await postOnce(context, 'poll-close-none', moderator, text);
    return {};
  }
  // From here no ballot is applied to this poll (a click is told the vote is closed), so the
  // ballots read next are the final count — a click between that read and the commit would
  // otherwise be answered "counted" and left out of the result. Idempotent for a re-run.
  await context.deps.store.beginPollClose(context.sessionId, poll.pollId);
  const [ballots, notes] = await Promise.all([context.deps.store.ballots(context.sessionId), context.deps.store.notes(context.sessionId)]);
  // Panelists without a usable ballot, if no ballot step announced them yet (see missing-ballots.ts).
  const notice = await announceMissingBallots(context, poll, notes);
  const config = context.deps.config;
  const candidates = await context.deps.store.candidates(context.sessionId);
  const support = poll.candidates.map((label) => candidates.find((candidate) => candidate.label === label)?.sources.length ?? 0);
  const result = tallyVotes(poll.candidates, Object.values(ballots), config.VOTE_THRESHOLD, config.KEYWORDS_MAX_CANDIDATES, support);
  const { closing: _closing, ...asOpened } = poll;
  const closed: PollState = { ...asOpened, status: 'closed', closedAt: Date.now(), winners: result.winners };
  await showPoll(context, closed, ballots);
  const counts = result.rows
    .filter((row) => row.total > 0)
    .sort((a, b) => b.total - a.total || a.index - b.index)
    .map((row) => t(language, 'vote.count', { label: row.label, total: row.total, panel: row.personaVotes, people: row.peopleVotes }))
    .join(t(language, 'vote.countSeparator'));
  const text =
    result.winners.length > 0
      ? t(language, 'vote.closedChosen', { voters: result.voters, needed: result.needed, winners: joinList(language, result.winners), counts })
      : t(language, 'vote.closedNone', {
          voters: result.voters,
          needed: result.needed,
          leaders: result.leading.length ? t(language, 'vote.leaders', { leaders: joinList(language, result.leading) }) : '',
          counts: counts || t(language, 'vote.noBallots'),
        });
  // The chart as data, drawn by the platform where it can (Slack); its picture goes elsewhere, or
  // when the platform refuses the chart (src/outbound/deliver-post.ts). The text says every count.
  const ranked = [...result.rows].sort((a, b) => b.total - a.total || a.index - b.index);
  const chart: ChartData = {
    title: t(language, 'voteChart.title'),
    categories: ranked.map((row) => row.label),
    series: [
      { name: t(language, 'voteChart.people'), values: ranked.map((row) => row.peopleVotes) },
      { name: t(language, 'voteChart.panel'), values: ranked.map((row) => row.personaVotes) },
    ],
    axisLabels: { category: t(language, 'voteChart.keywordAxis'), value: t(language, 'voteChart.votesAxis') },
  };
  let picture: OutboundFile[] = [];
  try {
    const bytes = await context.deps.images.voteChart(
      t(language, 'vote.chartTitle', { topic: context.meta.topic.slice(0, 60) }),
      result.rows.map((row) => ({ label: row.label, personaVotes: row.personaVotes, peopleVotes: row.peopleVotes })),
      result.needed,
    );
    picture = [{ filename: `vote-${poll.pollId}.png`, contentType: 'image/png', bytes, description: voteChartAltText(language, result.rows) }];
  } catch (error) {
    context.logger.warn({ err: error }, 'vote chart failed; posting the result without its picture');
  }
  await deliverPost(context, { key: `poll-result:${poll.pollId}`, speaker: moderator, text, chart: { data: chart, fallback: picture } });
  return {
    poll: closed,
    notes: notice.notes,
    meta: { stage: 'paused', votedKeywords: result.winners.length ? result.winners : context.meta.votedKeywords },
    transcript: [...notice.transcript, entry(context, { kind: 'moderator', speakerId: 'moderator', speakerName: 'Moderator', text })],
  };
}

export const keywordsStep = defineStep({
  kind: 'keywords',
  run: runKeywords,
  usesModel: true,
  buildsPrompt: true,
  stage: () => ({ stage: 'keywords' }),
  describe: (step, panel, language) => t(language, 'step.keywords', { name: personaName(panel, step.personaId) }),
});
export const pollOpenStep = defineStep({ kind: 'poll-open', run: runPollOpen, usesModel: false, describe: (_step, _panel, language) => t(language, 'step.pollOpen') });
export const personaBallotStep = defineStep({ kind: 'persona-ballot', run: runPersonaBallot, usesModel: true, describe: (step, panel, language) => t(language, 'step.personaBallot', { name: personaName(panel, step.personaId) }) });
export const pollCloseStep = defineStep({ kind: 'poll-close', run: runPollClose, usesModel: false, describe: (_step, _panel, language) => t(language, 'step.pollClose') });
