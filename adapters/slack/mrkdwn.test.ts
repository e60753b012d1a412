import { describe, expect, it } from 'vitest';
import { toSlackMarkdown, toSlackMrkdwn } from './mrkdwn.ts';
import { splitMessage } from './split-message.ts';

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

describe('splitMessage', () => {
  it('keeps short text whole and splits long text on boundaries under the limit', () => {
    expect(splitMessage('short')).toEqual(['short']);
    const paragraph = 'word '.repeat(300).trim();
    const parts = splitMessage(`${paragraph}\n\n${paragraph}\n\n${paragraph}`, 2_000);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(2_000);
    expect(parts.join(' ').replace(/\s+/g, ' ')).toBe(`${paragraph} ${paragraph} ${paragraph}`);
  });

  it('never cuts an entity and re-opens code fences', () => {
    const parts = splitMessage('&amp;'.repeat(1_000), 1_003);
    for (const part of parts) expect(part).toMatch(/^(&amp;)+$/);
    const code = splitMessage(`\`\`\`\n${'line\n'.repeat(500)}\`\`\``, 1_000);
    for (const part of code) expect((part.match(/```/g) ?? []).length % 2).toBe(0);
  });
});
