import type { PollView } from '../adapter/chat-adapter.ts';
import type { Ballot, PollState } from '../session/session-types.ts';
import { tallyVotes } from './vote-tally.ts';
import type { Config } from '../config/config-schema.ts';
import type { SessionStore } from '../store/session-store.ts';

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

/** The poll as people see it now: its ballots read from the store, the config's threshold and choice limit. */
export async function readPollView(
  store: Pick<SessionStore, 'ballots'>,
  config: Pick<Config, 'VOTE_THRESHOLD' | 'PERSONA_BALLOT_SIZE'>,
  sessionId: string,
  poll: PollState,
): Promise<PollView> {
  const ballots = await store.ballots(sessionId);
  return buildPollView(sessionId, poll, Object.values(ballots), config.VOTE_THRESHOLD, peopleChoiceLimit(poll.candidates.length, config.PERSONA_BALLOT_SIZE));
}
