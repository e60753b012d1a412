import { describe, expect, it } from 'vitest';
import { askButtonRow, askModal, decodeAskButton, decodeAskModal, encodeAskButton, encodeAskModal, questionLine } from './ask-message.ts';

describe('Discord Ask message parts', () => {
  it('round-trips persona ids through custom_ids of at most 100 characters', () => {
    expect(decodeAskButton(encodeAskButton('craftsman_1'))).toBe('craftsman_1');
    expect(decodeAskModal(encodeAskModal('craftsman_1'))).toBe('craftsman_1');
    expect(decodeAskButton('tr:v:poll:1')).toBeUndefined();
    expect(decodeAskButton(encodeAskModal('maker'))).toBeUndefined();
    expect(askButtonRow('x'.repeat(120), 'Long', undefined)).toBeUndefined();
    const row = askButtonRow('maker', 'Bayar', 'zh');
    expect(row?.components[0]).toMatchObject({ custom_id: 'tr:a:maker', label: '向 Bayar 提问' });
  });

  it('keeps the modal within Discord limits and shows the question with escaped names', () => {
    const modal = askModal('maker', 'A persona with a name far longer than forty-five characters', undefined, 10_000);
    expect(modal.title.length).toBeLessThanOrEqual(45);
    const label = modal.components[0] as { label: string; component: { max_length: number; custom_id: string } };
    expect(label.label.length).toBeLessThanOrEqual(45);
    expect(label.component).toMatchObject({ custom_id: 'question', max_length: 4_000 });
    expect(questionLine(undefined, 'a*da', 'Bayar', '  Why?  ')).toBe('❓ **a\\*da** asks **Bayar**: Why?');
    expect(questionLine(undefined, 'ada', 'Bayar', 'x'.repeat(3_000)).length).toBeLessThanOrEqual(1_900);
  });
});
