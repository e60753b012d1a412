/**
 * Builds the session record (session-record.ts) from what a session keeps in Redis, at its end.
 * Pure: the closing step reads the store and passes everything in.
 *
 * - The people-against-panel tally comes from the ballots (vote-tally.ts), never from the model.
 * - Token use is split per panelist (calls made for a persona's turn, ballot, keywords, image
 *   story) and "other" (summaries, image descriptions, the decision record); an estimated cost is
 *   given where MODEL_PRICES names the model — a total only when every model used is priced.
 * - The model's closing summary becomes the decision record; its `decisions` are what the panel
 *   agreed on. Positions naming no known panelist keep the names as the model wrote them.
 */
import type { Panel } from '../panels/panel-schema.ts';
import type { Ballot, ImageRecord, PollState, SessionMeta, TranscriptEntry } from '../session/session-types.ts';
import type { UsageBySource } from '../store/session-store.ts';
import { tallyVotes } from '../engine/vote-tally.ts';
import type { ClosingSummary } from '../engine/steps/closing-step.ts';
import { sessionRecordVersion, type KeywordTally, type RecordPoll, type SessionRecord } from './session-record.ts';
import { platformOfSession } from '../session/session-id.ts';

export interface ModelPrice {
  /** Per million prompt tokens. */
  prompt: number;
  /** Per million completion tokens. */
  completion: number;
}

/** MODEL_PRICES (`model=prompt/completion,…`) as a map; empty when unset. */
export function parseModelPrices(raw: string | undefined): Map<string, ModelPrice> {
  const prices = new Map<string, ModelPrice>();
  for (const pair of (raw ?? '').split(',')) {
    const match = /^\s*([^=\s]+)\s*=\s*([\d.]+)\s*\/\s*([\d.]+)\s*$/.exec(pair);
    if (match) prices.set(match[1]!, { prompt: Number(match[2]), completion: Number(match[3]) });
  }
  return prices;
}

export interface RecordInputs {
  meta: SessionMeta;
  panel: Panel;
  transcript: TranscriptEntry[];
  images: ImageRecord[];
  poll: PollState | undefined;
  ballots: Ballot[];
  /** How many personas proposed each candidate (the tally's tie-break). */
  support: number[];
  vote: { threshold: number; maxWinners: number };
  summary: ClosingSummary | undefined;
  usage: UsageBySource[];
  prices: Map<string, ModelPrice>;
  currency: string;
  endedAt: number;
  /** The name of who ended it, or "idle". */
  endedBy: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The per-keyword tally of a poll: people's and the panel's ballots, and whether it passed. */
export function keywordTally(poll: PollState, ballots: Ballot[], vote: RecordInputs['vote'], support: number[] = []): KeywordTally[] {
  const result = tallyVotes(poll.candidates, ballots, vote.threshold, vote.maxWinners, support);
  const winners = new Set(poll.winners ?? result.winners);
  return result.rows.map((row) => ({ keyword: row.label, people: row.peopleVotes, panel: row.personaVotes, passed: winners.has(row.label) }));
}

function recordPoll(poll: PollState, ballots: Ballot[], tally: KeywordTally[]): RecordPoll {
  return {
    pollId: poll.pollId,
    status: poll.status,
    openedAt: iso(poll.openedAt),
    ...(poll.closedAt ? { closedAt: iso(poll.closedAt) } : {}),
    candidates: poll.candidates,
    winners: poll.winners ?? [],
    ballots: ballots.map((ballot) => ({
      voterKind: ballot.voterKind,
      voterName: ballot.voterName,
      choices: ballot.choices.map((index) => poll.candidates[index]).filter((label): label is string => label !== undefined),
      ...(ballot.reason ? { reason: ballot.reason } : {}),
    })),
    tally,
  };
}

interface UsageLine {
  promptTokens: number;
  completionTokens: number;
  calls: number;
  estimatedCost?: number;
}

/** Sums usage lines; the cost only when every line has one. */
function sum(lines: UsageLine[]): UsageLine {
  const total: UsageLine = { promptTokens: 0, completionTokens: 0, calls: 0 };
  let priced = lines.length > 0;
  let cost = 0;
  for (const line of lines) {
    total.promptTokens += line.promptTokens;
    total.completionTokens += line.completionTokens;
    total.calls += line.calls;
    if (line.estimatedCost === undefined) priced = false;
    else cost += line.estimatedCost;
  }
  return priced ? { ...total, estimatedCost: round(cost) } : total;
}

const round = (cost: number) => Math.round(cost * 1e6) / 1e6;

function priced(line: UsageBySource, prices: Map<string, ModelPrice>): UsageLine {
  const price = prices.get(line.model);
  const base = { promptTokens: line.promptTokens, completionTokens: line.completionTokens, calls: line.calls };
  return price ? { ...base, estimatedCost: round((line.promptTokens * price.prompt + line.completionTokens * price.completion) / 1e6) } : base;
}

export function buildSessionRecord(inputs: RecordInputs): SessionRecord {
  const { meta, panel, summary } = inputs;
  const muted = new Set(meta.muted ?? []);
  const tally = inputs.poll ? keywordTally(inputs.poll, inputs.ballots, inputs.vote, inputs.support) : [];
  const personaIds = new Set(panel.personas.map((persona) => persona.id));
  const lines = inputs.usage.map((line) => ({ who: personaIds.has(line.who) ? line.who : 'other', line: priced(line, inputs.prices) }));
  const panelists = panel.personas.map((persona) => ({ id: persona.id, name: persona.displayName, ...sum(lines.filter((entry) => entry.who === persona.id).map((entry) => entry.line)) }));
  const other = sum(lines.filter((entry) => entry.who === 'other').map((entry) => entry.line));
  const session = sum(lines.map((entry) => entry.line));
  const anyPrice = lines.some((entry) => entry.line.estimatedCost !== undefined);
  return {
    schema: 'tableround.session-record',
    version: sessionRecordVersion,
    session: {
      id: meta.sessionId,
      platform: platformOfSession(meta.sessionId),
      topic: meta.topic,
      ...(meta.language ? { language: meta.language } : {}),
      ...(meta.preset ? { preset: meta.preset } : {}),
      panel: { id: panel.id, name: panel.name },
      startedBy: meta.starter.displayName,
      startedAt: iso(meta.createdAt),
      endedAt: iso(inputs.endedAt),
      endedBy: inputs.endedBy,
    },
    panelists: panel.personas.map((persona) => ({ id: persona.id, name: persona.displayName, role: meta.roleMap[persona.id] ?? persona.roleTitle, muted: muted.has(persona.id) })),
    transcript: inputs.transcript.map((entry) => ({
      kind: entry.kind,
      speakerId: entry.speakerId,
      speakerName: entry.speakerName,
      text: entry.text,
      at: iso(entry.at),
      stage: entry.stage,
      round: entry.round,
      ...(entry.role ? { role: entry.role } : {}),
      ...(entry.images?.length ? { images: entry.images } : {}),
    })),
    images: inputs.images.map((image) => ({
      hash: image.hash,
      kind: image.kind ?? 'shared',
      filename: image.filename,
      description: image.description,
      from: image.from,
      at: iso(image.at),
      width: image.width,
      height: image.height,
    })),
    polls: inputs.poll ? [recordPoll(inputs.poll, inputs.ballots, tally)] : [],
    ...(summary
      ? {
          decision: {
            agreed: summary.decisions,
            splits: summary.splits,
            votes: tally,
            openQuestions: summary.openQuestions,
            nextSteps: summary.nextSteps,
            takeaways: summary.takeaways,
          },
        }
      : {}),
    ...(summary && (summary.designCard.name || summary.designCard.form) ? { designCard: summary.designCard } : {}),
    usage: {
      ...(anyPrice ? { currency: inputs.currency } : {}),
      session: { ...session, imagesGenerated: meta.imagesGenerated ?? 0 },
      panelists,
      other,
    },
  };
}
