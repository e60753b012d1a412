/**
 * A light, safe Markdown for the HTML transcript: `**bold**`, `*italic*` / `_italic_`,
 * `` `code` ``, line breaks, blank-line paragraphs and `- ` / `* ` lists. Nothing else — no
 * links, images, headings or raw HTML. URLs stay plain text (kept out of emphasis so
 * `https://host/_a_` is not mangled).
 *
 * Safety contract: the text is escaped (html-escape.ts) before any pattern runs, so the only tags
 * in the output are the ones inserted here (`p br ul li strong em code`), none with attributes.
 * Whatever a person or a model wrote — `<script>`, `"><img onerror=…>`, `javascript:` — comes out
 * as visible, inert text. Placeholders use NUL, which escaping strips from the input.
 */
import { escapeHtml } from './html-escape.ts';

const LIST_ITEM = /^\s*[-*•]\s+(.*)$/;
const CODE_SPAN = /`([^`\n]+)`/g;
const URL_PATTERN = /\bhttps?:\/\/[^\s]+/g;
const BOLD = /\*\*(?=\S)(.+?)(?<=\S)\*\*/g;
const ITALIC_STAR = /(?<![*\p{L}\p{N}])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![*\p{L}\p{N}])/gu;
const ITALIC_UNDERSCORE = /(?<![\p{L}\p{N}_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\p{L}\p{N}_])/gu;
// eslint-disable-next-line no-control-regex -- NUL marks kept pieces; escapeHtml strips it from the input
const PLACEHOLDER = /\u0000(\d+)\u0000/g;

/** One escaped line with emphasis and code applied. */
function renderInline(escapedLine: string): string {
  const kept: string[] = [];
  const keep = (html: string): string => `\u0000${kept.push(html) - 1}\u0000`;
  return escapedLine
    .replace(CODE_SPAN, (_match, code: string) => keep(`<code>${code}</code>`))
    .replace(URL_PATTERN, (url) => keep(url))
    .replace(BOLD, '<strong>$1</strong>')
    .replace(ITALIC_STAR, '<em>$1</em>')
    .replace(ITALIC_UNDERSCORE, '<em>$1</em>')
    .replace(PLACEHOLDER, (_match, index: string) => kept[Number(index)] ?? '');
}

/** One short piece (a list item, a quote, a takeaway) as safe inline HTML: emphasis and code, newlines as `<br>`, no blocks. */
export function renderInlineMarkdown(text: string): string {
  return escapeHtml(text.replace(/\r\n?/g, '\n').trim())
    .split('\n')
    .map((line) => renderInline(line.trim()))
    .join('<br>');
}

/** Markdown-ish text from a person or a model as safe HTML (block elements: `p`, `ul`). */
export function renderLightMarkdown(text: string): string {
  const lines = escapeHtml(text.replace(/\r\n?/g, '\n')).split('\n');
  const blocks: string[] = [];
  let paragraph: string[] = [];
  let list: string[] = [];
  const flushParagraph = (): void => {
    if (paragraph.length > 0) blocks.push(`<p>${paragraph.join('<br>')}</p>`);
    paragraph = [];
  };
  const flushList = (): void => {
    if (list.length > 0) blocks.push(`<ul>${list.map((item) => `<li>${item}</li>`).join('')}</ul>`);
    list = [];
  };
  for (const line of lines) {
    const item = LIST_ITEM.exec(line);
    if (line.trim() === '') {
      flushParagraph();
      flushList();
    } else if (item) {
      flushParagraph();
      list.push(renderInline(item[1] ?? ''));
    } else {
      flushList();
      paragraph.push(renderInline(line.trim()));
    }
  }
  flushParagraph();
  flushList();
  return blocks.join('');
}
