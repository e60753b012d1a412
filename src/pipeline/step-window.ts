/**
 * The transcript window one step sees, kept within its models' context windows: the entries a
 * step's context holds (from where the rolling summary ends), when the rolling summary is folded
 * (CONTEXT_RECENT_TURNS + foldSlack, or the session context not fitting its smallest window:
 * engine/session-budget.ts), and the one fold-and-retry after a provider refused a prompt as too
 * long (`model_context_exceeded`). Used by the step machine (step-machine.ts) for every step.
 */
import { sessionScript } from '../engine/prompt-builder.ts';
import { foldDecision, rollingSummaryTarget, sessionWindow } from '../engine/session-budget.ts';
import { callAccounting, promptFit, promptInputs, type EngineDependencies, type StepContext, type StepOutcome } from '../engine/step-context.ts';
import type { RegisteredStepKind } from '../engine/step-kind.ts';
import { fitTranscriptPrompt } from '../engine/transcript-prompt.ts';
import { TableRoundError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import { capFor } from '../prompts/answer-length.ts';
import { windowAfterOverflow } from '../prompts/context-budget.ts';
import { promptLanguage, sessionLanguage } from '../prompts/session-language.ts';
import { ellipsis, finishAnswer } from '../prompts/sentence-cut.ts';
import type { SessionMeta, Step, TranscriptEntry } from '../session/session-types.ts';
import type { StepSnapshot } from '../store/session-store.ts';
import type { StepOutbox } from './step-outbox.ts';
import { platformOfSession } from '../session/session-id.ts';

/** Entries the window may grow past CONTEXT_RECENT_TURNS before older ones are folded. */
export const foldSlack = 8;

/** The rolling summary fields when a fold changed them during the step. */
export function foldedMeta(now: SessionMeta, before: SessionMeta): Pick<SessionMeta, 'rollingSummary' | 'summarisedThrough'> | undefined {
  return now.summarisedThrough !== before.summarisedThrough ? { rollingSummary: now.rollingSummary, summarisedThrough: now.summarisedThrough } : undefined;
}

/**
 * The prompt window starts where the rolling summary ends and only grows until the next fold,
 * so consecutive prompts of a session share their prefix (providers' prompt caches hit); it is
 * capped at CONTEXT_RECENT_TURNS + foldSlack entries even if a fold fails. The step's snapshot
 * reads it (session-scripts.ts `snapshotScript`: from max(summarisedThrough, length − cap)).
 */
export function buildStepContext(
  deps: EngineDependencies,
  sessionId: string,
  seq: number,
  meta: SessionMeta,
  panel: StepContext['panel'],
  incoming: TranscriptEntry[],
  window: StepSnapshot['window'],
  logger: Logger,
  outbox: StepOutbox,
  signal: AbortSignal | undefined,
  upcoming: Step[],
): StepContext {
  const { config } = deps;
  const stored = window.entries;
  const images = window.images.filter((image) => image.kind !== 'concept');
  const platform = platformOfSession(sessionId);
  return {
    deps,
    sessionId,
    seq,
    // The session's language, by its rule, over the entries this step sees (people's messages just arrived among them).
    meta: { ...meta, language: sessionLanguage(meta, [...stored, ...incoming], config.DEFAULT_LANGUAGE) },
    panel,
    adapter: deps.adapterFor(platform),
    logger,
    recent: [...stored, ...incoming],
    upcoming,
    images,
    outbox,
    usageWrites: [],
    ...(signal ? { signal } : {}),
  };
}

/**
 * Runs the step, folding the rolling summary first when its discussion prompt needs it. A
 * provider refusing the prompt as too long (`model_context_exceeded`, raised before anything
 * was shown) makes the step assume a smaller window — the one the provider named, else half —
 * fold for it and run once more; a second refusal fails the step like any other error.
 */
export async function runWithinWindow(deps: EngineDependencies, context: StepContext, kind: RegisteredStepKind, step: Step, length: number, incoming: TranscriptEntry[]): Promise<StepOutcome> {
  for (let attempt = 1; ; attempt++) {
    const foldUntil = kind.buildsPrompt ? foldPoint(deps.config, context, length, incoming.length) : undefined;
    if (foldUntil !== undefined && (await foldSummary(deps, context, foldUntil))) {
      context.recent = [...(await deps.store.transcript(context.sessionId, foldUntil, -1)), ...incoming];
    }
    const fittedWindow = sessionWindow(promptInputs(context));
    try {
      return await kind.run(context, step);
    } catch (error) {
      const overflowed = error instanceof TableRoundError && error.code === 'model_context_exceeded';
      if (!overflowed || attempt > 1 || context.interrupted || context.signal?.aborted || fittedWindow === undefined) throw error;
      // The gateway has learned the window the provider named, if it named one.
      const learned = sessionWindow(promptInputs(context));
      const sent = foldDecision(promptInputs({ ...context, windowLimit: fittedWindow }));
      context.windowLimit = windowAfterOverflow(fittedWindow, learned !== undefined && learned < fittedWindow ? learned : undefined, sent.promptTokens + sent.reserveTokens);
      context.logger.warn({ err: error, step: step.kind, fittedWindow, windowLimit: context.windowLimit }, 'the provider refused the prompt as too long; folding for a smaller window and retrying once');
    }
  }
}

/**
 * Where to fold up to (exclusive), or undefined for no fold: past CONTEXT_RECENT_TURNS once the
 * window has grown by `foldSlack` entries, and far enough that the session context fits its
 * smallest window (engine/session-budget.ts), whichever folds more. Only stored entries fold;
 * the `incoming` ones (this step's inbox) are committed with the step.
 */
function foldPoint(config: EngineDependencies['config'], context: StepContext, length: number, incoming: number): number | undefined {
  const through = context.meta.summarisedThrough;
  const recentTurns = config.CONTEXT_RECENT_TURNS;
  let foldUntil = length - through >= recentTurns + foldSlack ? length - recentTurns : through;
  const decision = foldDecision(promptInputs(context));
  if (decision.overflows) foldUntil = Math.max(foldUntil, length - Math.max(0, decision.keepEntries - incoming));
  return foldUntil > through ? foldUntil : undefined;
}

/**
 * Folds transcript entries before `foldUntil` into the rolling summary (one summary-model call),
 * so prompts stay within their windows. The fold prompt is fitted to the summary model's window
 * too (entries clipped before any is left out), and the summary's length and cap follow from
 * that window (engine/session-budget.ts `rollingSummaryTarget`). Runs inside the step, so it is
 * serialised too. Returns false (and leaves the summary as it was) when the call fails.
 */
async function foldSummary(deps: EngineDependencies, context: StepContext, foldUntil: number): Promise<boolean> {
  const { store, templates, models } = deps;
  const older = await store.transcript(context.sessionId, context.meta.summarisedThrough, foldUntil - 1);
  const fit = promptFit(context);
  const windowTokens = fit.windowOf(fit.summaryModel, 'summary');
  const script = sessionScript({ meta: context.meta, recent: older });
  const targetChars = rollingSummaryTarget(windowTokens, script);
  const maxTokens = capFor(targetChars, { script, model: fit.summaryModel, windowTokens });
  const prompt = fitTranscriptPrompt({
    render: (transcript, summary) =>
      templates.render('rolling-summary', { maxChars: targetChars, language: promptLanguage(context.meta), previousSummary: summary || '(none yet)', transcript }),
    entries: older,
    summary: context.meta.rollingSummary,
    windowTokens,
    reserveTokens: maxTokens,
    order: 'fold',
  });
  try {
    const result = await models.chat({
      role: 'summary',
      messages: prompt.messages,
      maxTokens,
      logger: context.logger,
      ...callAccounting(context),
    });
    const rollingSummary = finishAnswer(result.text, { targetChars, finishReason: result.finishReason });
    // Cut off before one sentence was complete (a reasoning model thinking its cap away): no
    // summary is better than a fragment standing in for the entries it would replace.
    if (result.finishReason === 'length' && rollingSummary.endsWith(ellipsis)) {
      context.logger.warn({ maxTokens, chars: result.text.length }, 'rolling summary cut off before its first sentence ended; keeping the previous one');
      return false;
    }
    context.meta = { ...context.meta, rollingSummary, summarisedThrough: foldUntil };
    return true;
  } catch (error) {
    // Without a new summary the prompt builder leaves out the oldest entries instead; the turn still runs.
    context.logger.warn({ err: error }, 'rolling summary failed; keeping the previous one');
    return false;
  }
}
