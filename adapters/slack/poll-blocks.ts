/**
 * The vote as a Block Kit message: one section per candidate with a toggle button (the person's
 * ballot gains or loses that candidate), counts, and a Close button while open. ≤ 50 blocks:
 * the core caps candidates well below that.
 */
import type { PollView } from '../../src/adapter/chat-adapter.ts';
import { plainForMrkdwn } from './mrkdwn.ts';

export const ballotActionPrefix = 'tableround_ballot_';
export const closeActionId = 'tableround_poll_close';

/** What a button carries (`value`, ≤ 2,000 chars): enough to act without any lookup. */
export interface PollButtonValue {
  sessionId: string;
  pollId: string;
  index?: number;
}

export function encodeButtonValue(value: PollButtonValue): string {
  return JSON.stringify(value);
}

export function decodeButtonValue(raw: string | undefined): PollButtonValue | undefined {
  try {
    const value = JSON.parse(raw ?? '') as Partial<PollButtonValue>;
    if (typeof value.sessionId !== 'string' || typeof value.pollId !== 'string') return undefined;
    return { sessionId: value.sessionId, pollId: value.pollId, ...(typeof value.index === 'number' ? { index: value.index } : {}) };
  } catch {
    return undefined;
  }
}

const bar = (count: number, of: number) => (of > 0 ? '▇'.repeat(Math.max(count > 0 ? 1 : 0, Math.round((count / of) * 8))) : '');

export function pollFallbackText(poll: PollView): string {
  const lines = poll.candidates.map((candidate) => `${candidate.index + 1}. ${plainForMrkdwn(candidate.label)} — ${candidate.peopleVotes + candidate.personaVotes}`);
  return `${poll.status === 'open' ? 'Vote' : 'Vote closed'}:\n${lines.join('\n')}`;
}

export function pollBlocks(poll: PollView): unknown[] {
  const voters = poll.peopleVoters + poll.personaVoters;
  const open = poll.status === 'open';
  const blocks: unknown[] = [
    {
      type: 'section',
      block_id: 'poll_header',
      text: {
        type: 'mrkdwn',
        text: open
          ? `*Vote on the keywords* — tap up to ${poll.maxChoices}; tap again to take a vote back. A keyword passes with ${Math.round(poll.threshold * 100)} % of voters.`
          : '*Vote closed* — the result follows in the thread.',
      },
    },
  ];
  for (const candidate of poll.candidates.slice(0, 45)) {
    const votes = candidate.peopleVotes + candidate.personaVotes;
    blocks.push({
      type: 'section',
      block_id: `poll_candidate_${candidate.index}`,
      text: { type: 'mrkdwn', text: `*${candidate.index + 1}. ${plainForMrkdwn(candidate.label)}*\n${bar(votes, voters)} ${candidate.peopleVotes} people · ${candidate.personaVotes} personas` },
      ...(open
        ? { accessory: { type: 'button', action_id: `${ballotActionPrefix}${candidate.index}`, text: { type: 'plain_text', text: `Vote ${candidate.index + 1}`, emoji: false }, value: encodeButtonValue({ sessionId: poll.sessionId, pollId: poll.pollId, index: candidate.index }) } }
        : {}),
    });
  }
  blocks.push({ type: 'context', block_id: 'poll_footer', elements: [{ type: 'mrkdwn', text: `${poll.peopleVoters} people and ${poll.personaVoters} personas voted.` }] });
  if (open) {
    blocks.push({
      type: 'actions',
      block_id: 'poll_actions',
      elements: [{ type: 'button', action_id: closeActionId, style: 'danger', text: { type: 'plain_text', text: 'Close the vote' }, value: encodeButtonValue({ sessionId: poll.sessionId, pollId: poll.pollId }) }],
    });
  }
  return blocks;
}
