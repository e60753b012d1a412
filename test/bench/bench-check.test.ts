/** `npm run bench -- --check` judges a run by the committed aims: ratios and counts, never times. */
import { describe, expect, it } from 'vitest';
import { checkAims, loadAims, type Aim } from '../../bench/bench-check.ts';

const aims: Aim[] = [
  { figure: 'overhead ÷ floor', bench: 'turn-overhead', path: 'ratio.p50', max: 2 },
  { figure: 'shared prompt', bench: 'prompt-size', path: 'prefixSharing.betweenFolds.p50Percent', min: 90 },
  { figure: 'image ÷ bare', bench: 'image', path: 'ratioToBareResize', max: 1.3 },
];

describe('the bench check', () => {
  it('marks each aim met or missed by its bound, and aims of benches that did not run as neither', () => {
    const checked = checkAims(aims, {
      'turn-overhead': { ratio: { p50: 2.4 } },
      'prompt-size': { prefixSharing: { betweenFolds: { p50Percent: 93.5 } } },
    });
    expect(checked.map((aim) => [aim.figure, aim.value, aim.met])).toEqual([
      ['overhead ÷ floor', 2.4, false],
      ['shared prompt', 93.5, true],
      ['image ÷ bare', undefined, undefined],
    ]);
  });

  it('counts a figure missing from a bench that ran as missed', () => {
    expect(checkAims(aims.slice(0, 1), { 'turn-overhead': { error: 'boom' } })[0]?.met).toBe(false);
  });

  it('has committed aims that are all ratios, shares or counts with a bound', () => {
    const committed = loadAims();
    expect(committed.length).toBeGreaterThan(5);
    for (const aim of committed) {
      expect(aim.max !== undefined || aim.min !== undefined, aim.figure).toBe(true);
      expect(aim.path, aim.figure).not.toMatch(/Ms$|Seconds$|MB$/);
    }
  });
});
