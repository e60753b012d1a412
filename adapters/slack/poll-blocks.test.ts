import { describe, expect, it } from 'vitest';
import { decodeButtonValue, pollBlocks, ballotActionPrefix, closeActionId } from './poll-blocks.ts';
import type { PollView } from '../../src/adapter/chat-adapter.ts';

const poll: PollView = {
  sessionId: 'slack:C1:1.0',
  pollId: 'p1',
  status: 'open',
  candidates: [
    { index: 0, label: 'warm <!channel>', personaVotes: 2, peopleVotes: 1 },
    { index: 1, label: 'quiet', personaVotes: 0, peopleVotes: 0 },
  ],
  peopleVoters: 1,
  personaVoters: 2,
  threshold: 0.6,
  maxChoices: 3,
};

describe('pollBlocks', () => {
  it('has a toggle button per candidate and a Close button while open', () => {
    const blocks = pollBlocks(poll) as { accessory?: { action_id: string; value: string }; elements?: { action_id?: string }[] }[];
    const buttons = blocks.flatMap((block) => (block.accessory ? [block.accessory] : []));
    expect(buttons.map((button) => button.action_id)).toEqual([`${ballotActionPrefix}0`, `${ballotActionPrefix}1`]);
    expect(decodeButtonValue(buttons[1]?.value)).toEqual({ sessionId: 'slack:C1:1.0', pollId: 'p1', index: 1 });
    expect(blocks.some((block) => block.elements?.some((element) => element.action_id === closeActionId))).toBe(true);
    expect(JSON.stringify(blocks)).not.toContain('<!channel>');
  });

  it('has no buttons once closed', () => {
    const blocks = pollBlocks({ ...poll, status: 'closed' });
    expect(JSON.stringify(blocks)).not.toContain('"button"');
  });
});
