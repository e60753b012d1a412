import { describe, expect, it } from 'vitest';
import { renderInlineMarkdown, renderLightMarkdown } from './light-markdown.ts';

describe('renderLightMarkdown', () => {
  it('renders bold, both italics, code, line breaks, paragraphs and dash lists', () => {
    expect(renderLightMarkdown('**Costs** are _high_ and *rising*: `laser cutter`\nsecond line\n\nNext:\n- one\n* two')).toBe(
      '<p><strong>Costs</strong> are <em>high</em> and <em>rising</em>: <code>laser cutter</code><br>second line</p><p>Next:</p><ul><li>one</li><li>two</li></ul>',
    );
  });

  it('escapes before formatting, so markup in the text stays text and Markdown cannot build a tag or attribute', () => {
    expect(renderLightMarkdown('<script>alert(1)</script> "><img src=x onerror=alert(1)> **<b>** `<i>`')).toBe(
      '<p>&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(1)&gt; <strong>&lt;b&gt;</strong> <code>&lt;i&gt;</code></p>',
    );
    expect(renderLightMarkdown('[click](javascript:alert(1)) javascript:alert(1)')).toBe('<p>[click](javascript:alert(1)) javascript:alert(1)</p>');
  });

  it('leaves snake_case, arithmetic, URLs and code alone', () => {
    expect(renderLightMarkdown('snake_case_name 2*3*4 https://example.org/_draft_/a*b*c `**not bold**`')).toBe(
      '<p>snake_case_name 2*3*4 https://example.org/_draft_/a*b*c <code>**not bold**</code></p>',
    );
  });

  it('drops control characters, including the NUL it uses as a placeholder', () => {
    expect(renderLightMarkdown('a\u00000\u0000b\u0007c `x`')).toBe('<p>a0bc <code>x</code></p>');
  });

  it('normalises Windows line ends', () => {
    expect(renderLightMarkdown('one\r\ntwo')).toBe('<p>one<br>two</p>');
  });
});

describe('renderInlineMarkdown', () => {
  it('keeps a short piece inline: emphasis and line breaks, no paragraph or list', () => {
    expect(renderInlineMarkdown('  **Measure** first\n- then act  ')).toBe('<strong>Measure</strong> first<br>- then act');
  });
});
