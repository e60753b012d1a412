import { describe, expect, it } from 'vitest';
import { toSlackMarkdown, toSlackMrkdwn } from './mrkdwn.ts';

const invisible = /[\u200B\u2060]/g;

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
    expect(toSlackMrkdwn('`**not bold**` and ```\n**x**\n```')).toBe('`**not bold**` and ```\n**x**\n```');
  });

  it('writes a labelled link out with its target visible, never as <url|label>', () => {
    expect(toSlackMrkdwn('see [docs](https://example.com/a?b=1&c=2)')).toBe('see docs (https://example.com/a?b=1&amp;c=2)');
    expect(toSlackMrkdwn('[click me](https://evil.example/x) now')).toBe('click me (https://evil.example/x) now');
    expect(toSlackMrkdwn('![a chart](https://example.com/c.png)')).toBe('a chart (https://example.com/c.png)');
    expect(toSlackMrkdwn('[https://example.com](https://example.com)')).toBe('https://example.com');
    // mrkdwn's own masked link stays escaped text: the target is shown, nothing is hidden.
    expect(toSlackMrkdwn('<https://evil.example/x|click me>')).toBe('&lt;https://evil.example/x|click me&gt;');
    for (const text of ['[a|b](https://evil.example/x)', 'x [y](https://evil.example/z "title")', '<https://evil.example|ok>']) {
      expect(toSlackMrkdwn(text)).not.toMatch(/<[^&]*\|/);
    }
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

  it('writes a labelled link out with its target visible', () => {
    expect(toSlackMarkdown('see [click me](https://evil.example/x) now')).toBe('see click me (https://evil.example/x) now');
    expect(toSlackMarkdown('![chart](https://example.com/c.png)')).toBe('chart (https://example.com/c.png)');
    expect(toSlackMarkdown('[t](https://evil.example/x "a title")')).toBe('t (https://evil.example/x "a title")');
  });

  it('leaves no Markdown or Slack link syntax that could hide a target', () => {
    const hidden = [
      '[a [nested] label](https://evil.example/x)',
      '[label][ref]\n\n[ref]: https://evil.example/x',
      '[label]\n\n  [label]: https://evil.example/x "t"',
      '<https://evil.example/x|click me>',
      '<a href="https://evil.example/x">click</a>',
      '`[in code](https://evil.example/x)` and ```\n[fenced](https://evil.example/y)\n```',
      'half ``` open [x](https://evil.example/z)',
    ];
    for (const text of hidden) {
      const out = toSlackMarkdown(text);
      expect(out, text).not.toMatch(/\](\(|\[)|^ {0,3}\[[^\]]*\]:|<[^\s\u200B]/m);
      expect(out.replace(invisible, ''), text).toContain('https://evil.example/');
    }
  });

  it('only ever extends what it returned for a shorter prefix, outside links', () => {
    const full = 'A **bold** claim <!here>, then <@U1> and more text.';
    for (let length = 1; length < full.length; length += 1) {
      expect(toSlackMarkdown(full).startsWith(toSlackMarkdown(full.slice(0, length)))).toBe(true);
    }
  });
});
