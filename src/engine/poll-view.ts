import type { PollView } from '../adapter/chat-adapter.ts';
import type { Ballot, PollState } from '../session/session-types.ts';
import { tallyVotes } from './vote-tally.ts';

/** The poll as adapters show it: counts per candidate, persona and people votes apart. */
export function buildPollView(sessionId: string, poll: PollState, ballots: Ballot[], threshold: number, maxChoices: number): PollView {
  const tally = tallyVotes(poll.candidates, ballots, threshold, poll.candidates.length);
  return {
    sessionId,
    pollId: poll.pollId,
    status: poll.status,
    candidates: tally.rows.map((row) => ({ index: row.index, label: row.label, personaVotes: row.personaVotes, peopleVotes: row.peopleVotes })),
    peopleVoters: ballots.filter((ballot) => ballot.voterKind === 'person' && ballot.choices.length > 0).length,
    personaVoters: ballots.filter((ballot) => ballot.voterKind === 'persona').length,
    threshold,
    maxChoices,
  };
}

/** How many candidates a person may pick: the persona ballot size, at least 1, at most all. */
export function peopleChoiceLimit(candidateCount: number, ballotSize: number): number {
  return Math.max(1, Math.min(candidateCount, ballotSize));
}
