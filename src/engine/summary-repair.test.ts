import { describe, expect, it } from 'vitest';
import { closingSummarySchema } from './steps/closing-step.ts';
import { repairClosingSummary } from './summary-repair.ts';
import { trackRepairs } from './structured-outcome.ts';

const complete = {
  decisions: ['Prototype a felt lamp'],
  splits: [
    {
      question: 'Felt or wool?',
      positions: [
        { position: 'Felt', panelists: ['Bayar'], inTheirWords: 'felt is home' },
        { position: 'Wool', panelists: ['Lin'] },
      ],
    },
  ],
  openQuestions: ['What price point?'],
  nextSteps: [{ step: 'Sew a shade', owner: 'Bayar' }],
  takeaways: [{ name: 'Bayar', takeaway: 'Respect the craft' }],
  designCard: { name: 'Felt Glow', form: 'round shade', elements: ['felt'], functions: ['reading light'], targetUsers: 'students', meaning: 'warmth' },
};
const repaired = (raw: unknown) => closingSummarySchema.parse(repairClosingSummary(raw));

describe('repairing a closing summary', () => {
  it('accepts a complete summary unchanged', () => {
    const tracked = trackRepairs(closingSummarySchema, repairClosingSummary);
    expect(closingSummarySchema.parse(tracked.coerce(complete))).toEqual(complete);
    expect(tracked.repaired).toBe(false);
  });

  it('keeps dissent in loose shapes: names as a string, next steps as strings; drops one-sided splits', () => {
    const summary = repaired({
      decisions: ['Ship it'],
      disagreements: [
        { topic: 'Price', sides: [{ view: 'Cheap', who: 'Ada, Lin' }, { stance: 'Premium', heldBy: ['Bayar'], quote: 'craft costs' }] },
        { question: 'Colour', positions: [{ position: 'Red', panelists: ['Ada'] }] },
        { question: 'Nobody', positions: [{ position: 'x' }, { position: 'y' }] },
      ],
      next_steps: ['Call the felt maker', { action: 'Draw the shade', owner: 'Lin' }],
    });
    expect(summary.splits).toEqual([
      {
        question: 'Price',
        positions: [
          { position: 'Cheap', panelists: ['Ada', 'Lin'] },
          { position: 'Premium', panelists: ['Bayar'], inTheirWords: 'craft costs' },
        ],
      },
    ]);
    expect(summary.nextSteps).toEqual([{ step: 'Call the felt maker' }, { step: 'Draw the shade', owner: 'Lin' }]);
  });

  it('fills missing lists and a missing design card, and drops extra keys', () => {
    const summary = repaired({ decisions: ['Ship it'], mood: 'good' });
    expect(summary.decisions).toEqual(['Ship it']);
    expect(summary.openQuestions).toEqual([]);
    expect(summary.takeaways).toEqual([]);
    expect(summary.splits).toEqual([]);
    expect(summary.nextSteps).toEqual([]);
    expect(summary.designCard).toEqual({ name: '', form: '', elements: [], functions: [], targetUsers: '', meaning: '' });
    expect(summary).not.toHaveProperty('mood');
  });

  it('splits a string where a list is expected', () => {
    const summary = repaired({ ...complete, decisions: '- Prototype a felt lamp\n- Test fire safety', designCard: { ...complete.designCard, elements: 'felt, red wool' } });
    expect(summary.decisions).toEqual(['Prototype a felt lamp', 'Test fire safety']);
    expect(summary.designCard.elements).toEqual(['felt', 'red wool']);
  });

  it('takes takeaways as a name→text map, as "Name: text" lines, or under other field names', () => {
    expect(repaired({ ...complete, takeaways: { Bayar: 'Respect the craft', Lin: 'Mind the light' } }).takeaways).toEqual([
      { name: 'Bayar', takeaway: 'Respect the craft' },
      { name: 'Lin', takeaway: 'Mind the light' },
    ]);
    expect(repaired({ ...complete, takeaways: ['Bayar: Respect the craft'] }).takeaways).toEqual([{ name: 'Bayar', takeaway: 'Respect the craft' }]);
    expect(repaired({ ...complete, takeaways: [{ persona: 'Lin', text: 'Mind the light' }] }).takeaways).toEqual([{ name: 'Lin', takeaway: 'Mind the light' }]);
  });

  it('unwraps a summary under a wrapper key and reads snake_case keys, cutting long lists', () => {
    const summary = repaired({ closing_summary: { open_questions: Array.from({ length: 14 }, (_, index) => `q${index}`), design_card: { name: 'Glow' } } });
    expect(summary.openQuestions).toHaveLength(10);
    expect(summary.designCard.name).toBe('Glow');
  });

  it('leaves an answer with nothing usable invalid, so the gateway retries', () => {
    expect(closingSummarySchema.safeParse(repairClosingSummary({ reply: 'I cannot summarise' })).success).toBe(false);
    expect(closingSummarySchema.safeParse(repairClosingSummary('just prose')).success).toBe(false);
  });
});
