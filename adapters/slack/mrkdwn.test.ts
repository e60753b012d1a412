import { describe, expect, it } from 'vitest';
import { toSlackMarkdown, toSlackMrkdwn } from './mrkdwn.ts';

describe('toSlackMrkdwn', () => {
  it('neutralises every broadcast and mention form', () => {
    const out = toSlackMrkdwn('Hey <!channel> <!here> <!everyone> <@U123> <!subteam^S1|@team> <#C1> & @channel @here');
    expect(out).not.toMatch(/<[!@#]/);
    expect(out).toContain('&lt;!channel&gt;');
    expect(out).toContain('&amp;');
    expect(out).not.toMatch(/@(channel|here)\b/);
  });

  it('converts light Markdown to mrkdwn but leaves code alone', () => {
    expect(toSlackMrkdwn('**bold** and *italic* and ~~gone~~')).toBe('*bold* and _italic_ and ~gone~');
    expect(toSlackMrkdwn('# Title\n- one\n- two')).toBe('*Title*\n• one\n• two');
    expect(toSlackMrkdwn('see [docs](https://example.com/a?b=1&c=2)')).toBe('see <https://example.com/a?b=1&c=2|docs>');
    expect(toSlackMrkdwn('`**not bold**` and ```\n**x**\n```')).toBe('`**not bold**` and ```\n**x**\n```');
  });

  it('does not build special links from non-http targets', () => {
    expect(toSlackMrkdwn('[x](!channel)')).not.toContain('<!channel');
  });
});

describe('toSlackMarkdown (native streaming)', () => {
  it('breaks special sequences without entities', () => {
    const out = toSlackMarkdown('**hi** <!channel> <@U1> @here');
    expect(out).toContain('**hi**');
    expect(out).not.toMatch(/<[!@#]/);
    expect(out).not.toMatch(/@here\b/);
  });
});

