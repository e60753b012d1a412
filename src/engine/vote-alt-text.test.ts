import { describe, expect, it } from 'vitest';
import { voteAltTextMaxChars, voteChartAltText } from './vote-alt-text.ts';

const rows = [
  { label: 'warm', peopleVotes: 1, personaVotes: 3 },
  { label: 'quiet', peopleVotes: 4, personaVotes: 2 },
  { label: 'soft handle', peopleVotes: 0, personaVotes: 0 },
];

describe('the vote chart alt text', () => {
  it('says every count, most votes first, in the session language', () => {
    expect(voteChartAltText('en', rows)).toBe('Votes per keyword — quiet: people 4, panel 2; warm: people 1, panel 3; soft handle: people 0, panel 0');
    expect(voteChartAltText('zh', rows)).toBe('各关键词得票——quiet：参与者 4 票，嘉宾 2 票；warm：参与者 1 票，嘉宾 3 票；soft handle：参与者 0 票，嘉宾 0 票');
  });

  it('fits the platforms’ limit by counting what it leaves out, never cutting an entry', () => {
    const many = Array.from({ length: 25 }, (_, index) => ({ label: `a keyword of forty characters, number ${String(index).padStart(2, '0')}`, peopleVotes: 25 - index, personaVotes: 1 }));
    const text = voteChartAltText('en', many);
    expect(text.length).toBeLessThanOrEqual(voteAltTextMaxChars);
    expect(text).toMatch(/number 00: people 25, panel 1; /);
    expect(text).toMatch(/; and \d+ more$/);
    expect(voteChartAltText('en', rows, 40)).toBe('Votes per keyword — and 3 more');
    expect(voteChartAltText('en', rows, 10)).toHaveLength(10);
  });
});
