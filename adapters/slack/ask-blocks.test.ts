import { describe, expect, it } from 'vitest';
import { askActions, askModalView, decodeAskTarget, personaPostBlocks, questionOf, textSections } from './ask-blocks.ts';

describe('Slack Ask blocks', () => {
  it('cuts long text into sections of at most 3,000 characters at spaces, losing nothing', () => {
    const text = `${'word &amp; '.repeat(700)}end`;
    const sections = textSections(text) as { text: { text: string; verbatim: boolean } }[];
    expect(sections.length).toBe(3);
    for (const section of sections) expect(section.text.text.length).toBeLessThanOrEqual(3_000);
    expect(sections.map((section) => section.text.text).join('')).toBe(text);
    expect(sections.every((section) => !section.text.text.endsWith('&amp'))).toBe(true);
    expect(sections[0]?.text.verbatim).toBe(true);
    expect(textSections('')).toEqual([]);
  });

  it('carries the session and persona in the button, and the language in the modal', () => {
    const actions = askActions({ sessionId: 'slack:C1:1.2', personaId: 'maker' }, 'A very long persona name that goes on and on beyond the button limit', 'zh');
    const button = (actions.elements as { text: { text: string }; value: string }[])[0];
    expect(button?.text.text.length).toBeLessThanOrEqual(75);
    expect(button?.text.text.startsWith('❓ 向 A very long')).toBe(true);
    expect(decodeAskTarget(button?.value)).toMatchObject({ sessionId: 'slack:C1:1.2', personaId: 'maker' });
    expect(decodeAskTarget('not json')).toBeUndefined();
    expect(personaPostBlocks('hi', actions)).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: 'hi', verbatim: true } }, actions]);

    const view = askModalView({ sessionId: 'slack:C1:1.2', personaId: 'maker', language: 'zh' }, 'Bayar the Maker of Very Long Names', 5_000) as { title: { text: string }; private_metadata: string; blocks: { element: { max_length: number } }[] };
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    expect(view.blocks[0]?.element.max_length).toBe(3_000);
    expect(decodeAskTarget(view.private_metadata)).toEqual({ sessionId: 'slack:C1:1.2', personaId: 'maker', language: 'zh' });
    expect(questionOf({ id: 'V1', state: { values: { question: { question: { type: 'plain_text_input', value: '  why?  ' } } } } })).toBe('why?');
    expect(questionOf({ id: 'V1' })).toBe('');
  });
});
