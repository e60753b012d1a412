import { describe, expect, it } from 'vitest';
import { loadPanel } from '../../panels/panel-loader.ts';
import { t } from '../../i18n/translate.ts';
import { idleDuration, takeawayNames, withMutedTakeaways, type ClosingSummary } from './closing-step.ts';

const panel = loadPanel('prompts/panels/design-workshop');
const [bayar, ayigul] = panel.personas;
const summary: ClosingSummary = {
  decisions: [],
  splits: [],
  openQuestions: [],
  nextSteps: [],
  takeaways: [
    { name: '巴雅尔', takeaway: 'invented' },
    { name: 'Ayigul (阿依古丽)', takeaway: 'Colour matters' },
  ],
  designCard: { name: 'x', form: 'x', elements: [], functions: [], targetUsers: 'x', meaning: 'x' },
};

describe('muted panelists in the closing', () => {
  it('lose a takeaway the model gave them (by any of their names) and are said to be muted, in the session’s language', () => {
    const adjusted = withMutedTakeaways(summary, [bayar!], 'zh');
    expect(adjusted.takeaways).toEqual([
      { name: 'Ayigul (阿依古丽)', takeaway: 'Colour matters' },
      { name: 'Bayar (巴雅尔)', takeaway: t('zh', 'closing.mutedTakeaway') },
    ]);
    expect(withMutedTakeaways(summary, [], 'en')).toBe(summary);
  });

  it('are left out of the names the summary prompt asks takeaways for', () => {
    expect(takeawayNames(panel.personas.slice(0, 2), [])).toBe('Bayar (巴雅尔), Ayigul (阿依古丽)');
    expect(takeawayNames(panel.personas.slice(0, 2), [bayar!])).toBe('Ayigul (阿依古丽) — and none for Bayar (巴雅尔): muted by the people, this panelist gets no takeaway');
    expect(takeawayNames([bayar!, ayigul!], [bayar!, ayigul!])).toMatch(/^\(none\) — and none for .+ they get no takeaway$/);
  });
});

describe('the idle time, as people read it', () => {
  it('is said in hours, minutes or seconds, in the session’s language', () => {
    expect(idleDuration(12, 'en')).toBe('12 hours');
    expect(idleDuration(1, 'en')).toBe('1 hour');
    expect(idleDuration(0.5, 'en')).toBe('30 minutes');
    expect(idleDuration(12, 'zh')).toBe('12小时');
    expect(idleDuration(0.0005, 'en')).toBe('1.8 seconds');
    expect(idleDuration(12, 'not a language!')).toBe('12 hours');
  });
});
