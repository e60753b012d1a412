/**
 * Chooses how much of a session's history a prompt shows so that it fits its token allowance.
 * Pure: the caller renders a `PromptView` into the prompt's variable text; this module only
 * decides the view, trying cheaper losses first and stopping at the first view that fits.
 *
 * Two orders of loss:
 * - `window` (a persona's or the moderator's prompt): drop the oldest entries down to the last
 *   `keepAtLeast`; then clip long entries and image descriptions (twice, harder); then keep only
 *   the last entry; then clip the rolling summary; then leave out the images and the entries.
 * - `fold` (the prompt that folds entries into the summary: an entry left out is lost for
 *   good): clip entries harder and harder first; then drop the oldest; then clip the summary.
 * What the caller does not put in the view — the static rules, the persona card, the
 * instruction, the topic — is never touched: the caller subtracts it from the allowance.
 * Hazard: a caller whose fixed parts alone exceed the allowance gets the smallest view and a
 * prompt that still does not fit (`fits: false`); the provider then has the last word.
 */
import type { TranscriptEntry } from '../session/session-types.ts';
import { cutWithin } from '../prompts/sentence-cut.ts';
import { estimateTokens } from '../prompts/token-estimate.ts';

/** What a prompt shows of the session's history. */
export interface PromptView {
  /** Shown entries, oldest first. */
  entries: TranscriptEntry[];
  /** Entries before these that were left out. */
  droppedEntries: number;
  /** Longest excerpt of one entry, in characters. */
  entryClipChars: number;
  /** Longest excerpt of one image description; 0 = images left out. */
  imageClipChars: number;
  summary: string;
}

export interface FitRequest {
  entries: TranscriptEntry[];
  summary: string;
  /** Renders a view into the text whose tokens must stay within `allowanceTokens`. */
  render(view: PromptView): string;
  allowanceTokens: number;
  order: 'window' | 'fold';
  /** `window` order: entries kept before any is clipped. Default 2. */
  keepAtLeast?: number;
}

export interface FitResult {
  view: PromptView;
  text: string;
  tokens: number;
  fits: boolean;
}

/** Clip levels, gentlest first: [entry, image description] characters. */
const windowClips: readonly (readonly [number, number])[] = [
  [1_200, 600],
  [600, 300],
  [300, 120],
];
const foldClips = [1_200, 600, 300, 150, 80] as const;

export function fitToWindow(request: FitRequest): FitResult {
  const { entries, summary, allowanceTokens } = request;
  const measure = (view: PromptView): FitResult => {
    const text = request.render(view);
    const tokens = estimateTokens(text);
    return { view, text, tokens, fits: tokens <= allowanceTokens };
  };
  const view = (dropped: number, entryClipChars: number, imageClipChars: number, shownSummary = summary): PromptView => ({
    entries: entries.slice(dropped),
    droppedEntries: dropped,
    entryClipChars,
    imageClipChars,
    summary: shownSummary,
  });
  const count = entries.length;
  let attempt: FitResult;
  if (request.order === 'window') {
    const floor = Math.min(request.keepAtLeast ?? 2, count);
    const [[entryClip, imageClip], ...harder] = windowClips as [readonly [number, number], ...(readonly [number, number])[]];
    attempt = fewestDropped(count - floor, (dropped) => measure(view(dropped, entryClip, imageClip)));
    if (attempt.fits) return attempt;
    for (const [entryClipChars, imageClipChars] of harder) {
      attempt = measure(view(count - floor, entryClipChars, imageClipChars));
      if (attempt.fits) return attempt;
    }
    const [hardestEntry, hardestImage] = windowClips.at(-1)!;
    attempt = measure(view(Math.max(0, count - 1), hardestEntry, hardestImage));
    if (attempt.fits) return attempt;
    attempt = clipSummary(attempt, measure, allowanceTokens);
    if (attempt.fits) return attempt;
    return clipSummary(measure(view(count, hardestEntry, 0, attempt.view.summary)), measure, allowanceTokens);
  }
  for (const clip of foldClips) {
    attempt = measure(view(0, clip, 0));
    if (attempt.fits) return attempt;
  }
  const hardest = foldClips.at(-1)!;
  attempt = fewestDropped(Math.max(0, count - 1), (dropped) => measure(view(dropped, hardest, 0)));
  return attempt.fits ? attempt : clipSummary(attempt, measure, allowanceTokens);
}

/** Binary search for the fewest oldest entries to drop (up to `most`) so the view fits. */
function fewestDropped(most: number, measureWith: (dropped: number) => FitResult): FitResult {
  const all = measureWith(0);
  if (all.fits || most <= 0) return all;
  const fewest = measureWith(most);
  if (!fewest.fits) return fewest;
  let low = 0; // does not fit
  let high = most; // fits
  let best = fewest;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    const attempt = measureWith(middle);
    if (attempt.fits) {
      high = middle;
      best = attempt;
    } else low = middle;
  }
  return best;
}

/** The same view with the rolling summary cut (at a sentence) until the whole fits, or emptied. */
function clipSummary(attempt: FitResult, measure: (view: PromptView) => FitResult, allowanceTokens: number): FitResult {
  let current = attempt;
  for (let round = 0; round < 6 && !current.fits && current.view.summary; round++) {
    const summary = current.view.summary;
    const summaryTokens = Math.max(1, estimateTokens(summary));
    const keepShare = Math.max(0, (summaryTokens - (current.tokens - allowanceTokens)) / summaryTokens) * 0.9;
    const maxChars = Math.floor(summary.length * keepShare);
    current = measure({ ...current.view, summary: maxChars >= 40 ? cutWithin(summary, maxChars) : '' });
  }
  return current;
}
