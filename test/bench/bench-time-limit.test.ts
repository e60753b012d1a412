/** A bench that never settles fails by its time limit instead of holding `npm run bench` for ever. */
import { describe, expect, it } from 'vitest';
import { withinTimeLimit } from '../../bench/bench-time-limit.ts';

describe('a bench time limit', () => {
  it('fails a bench that never settles, naming it and the limit', async () => {
    await expect(withinTimeLimit('turn-overhead', 50, () => new Promise<never>(() => undefined))).rejects.toThrow('turn-overhead did not finish within 0 s');
  });

  it('passes on what a bench within its limit returns or throws', async () => {
    await expect(withinTimeLimit('image', 5_000, async () => ({ ratio: 1.1 }))).resolves.toEqual({ ratio: 1.1 });
    await expect(withinTimeLimit('image', 5_000, async () => Promise.reject(new Error('sharp is missing')))).rejects.toThrow('sharp is missing');
  });
});
