/**
 * Runs one step of one session: the body of every step job.
 *
 * Serialisation (BullMQ has no per-key groups in its open-source edition):
 * - A session has a sequence number `seq` (and a kick `epoch`) in its meta. The job for its next
 *   step has an id derived from both (step-queue.ts); BullMQ ignores an add whose id exists, so
 *   any number of callers may "kick" a session and exactly one job results.
 * - A job runs only if its seq and epoch are the session's current ones, and its writes are
 *   committed by a Lua script that checks the seq again and advances it (SessionStore.commit).
 *   So at most one step — and so at most one model call — is in flight per session, a duplicated
 *   or retried job is a no-op once its step committed, and steps run strictly in order.
 * - What a step posts is posted exactly once: the rule is in step-outbox.ts.
 * - After committing, the job enqueues seq+1 if there is more to do (retried; the pending index,
 *   marked before the commit, lets the sweeper finish the job if this process dies first). An
 *   inbound event first marks the index, then appends to the inbox, then kicks; since the
 *   committing job advances seq before it reads the inbox length, no event is left without a job.
 * - A job that finds the session ahead of it kicks the current step if work is pending.
 * - The final failure of any step — model, platform, commit, panel, adapter — skips that step
 *   with a short, true line in the thread, and the session goes on. Never silent.
 * - Different sessions are different jobs and run in parallel up to the worker's concurrency.
 */
import { asTableRoundError, TableRoundError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import type { SessionMeta, Step, TranscriptEntry } from '../session/session-types.ts';
import type { StepSnapshot } from '../store/session-store.ts';
import { applyInbox } from '../engine/agenda.ts';
import { describeForPerson } from '../engine/describe-error.ts';
import { formatEntry } from '../engine/prompt-builder.ts';
import { detectLanguage } from '../prompts/detect-language.ts';
import { commandUsage, entry, moderator, postOnce, recordUsage, type EngineDependencies, type StepContext, type StepOutcome } from '../engine/step-context.ts';
import type { RegisteredStepKind } from '../engine/step-kind.ts';
import { StepOutbox, StepSupersededError } from './step-outbox.ts';
import type { StepJobData, StepProcessor } from './step-queue.ts';

/** How the step machine reaches the queue and the pending index. */
export interface PipelineHooks {
  /** Adds the job for (seq, epoch); idempotent. */
  kick(sessionId: string, seq: number, epoch: number): Promise<void>;
  /** Marks the session in the pending index (before work becomes visible). */
  markPending(sessionId: string): Promise<void>;
}

export type StepResult = 'gone' | 'stale' | 'idle' | 'ran' | 'skipped';

/** Errors that another attempt cannot fix: the step is skipped at once. */
const permanentCodes = new Set(['model_refused', 'model_bad_output', 'model_not_configured', 'panel_invalid', 'panel_unknown']);

export function isPermanent(error: unknown): boolean {
  return error instanceof TableRoundError && permanentCodes.has(error.code);
}

const kickRetries = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class StepMachine implements StepProcessor {
  constructor(
    private readonly deps: EngineDependencies,
    private readonly hooks: PipelineHooks,
  ) {}

  /**
   * Processes step `seq` of a session. `attempt.final`: when this attempt fails, the step is
   * skipped with a message in the thread instead of being retried. Returns what happened.
   */
  async process(job: Required<Pick<StepJobData, 'sessionId' | 'seq' | 'epoch'>> & { skip: boolean }, attempt: { final: boolean; signal?: AbortSignal }): Promise<StepResult> {
    const { store } = this.deps;
    const { sessionId, seq, epoch } = job;
    const snapshot = await store.snapshot(sessionId);
    const { meta, inbox, poll, transcriptLength: length } = snapshot;
    if (!meta) return 'gone';
    if (meta.seq !== seq || (meta.epoch ?? 0) !== epoch) {
      if (seq < meta.seq && (meta.agenda.length > 0 || inbox.length > 0)) await this.kickWithRetry(sessionId, meta.seq, meta.epoch ?? 0);
      return 'stale';
    }
    const logger = this.deps.logger.child({ sessionId, seq });
    const outbox = new StepOutbox({ redis: store.redis, outboxKey: store.key('outbox', sessionId), metaKey: store.key('meta', sessionId), ttlMs: store.ttlMs }, seq, snapshot.outbox);

    if (meta.status === 'ended') {
      // Nothing runs after the end; events that raced with it are dropped with the session's record intact.
      if (inbox.length) await store.commit(sessionId, seq, { inboxConsumed: inbox.length });
      return 'idle';
    }

    const panel = this.deps.panels.get(meta.panelId);
    if (!panel) return this.endWithoutPanel(snapshot, outbox, logger);
    const planned = applyInbox({ meta, panel, agenda: meta.agenda, pollOpen: poll?.status === 'open' }, inbox, this.deps.commands);
    const budget = this.deps.config.SESSION_TOKEN_BUDGET;
    const overBudget = budget > 0 && meta.tokensPrompt + meta.tokensCompletion >= budget;
    if (overBudget && planned.agenda.some((step) => this.kindOf(step)?.usesModel ?? true)) {
      // Spent sessions stop costing: what needs a model is dropped (closing keeps its summary).
      const hints = { adapter: this.deps.adapterFor(sessionId.split(':')[0] ?? ''), deps: this.deps };
      const stillWork = `${commandUsage(hints, 'vote', 'close')} and ${commandUsage(hints, 'end')}`;
      planned.agenda = [{ kind: 'notice', text: `⚠️ This roundtable has used its token budget (${budget.toLocaleString('en')} tokens); the panel stops here. ${stillWork} still work.` }, ...planned.agenda.filter((step) => !(this.kindOf(step)?.usesModel ?? true))];
    }
    const [step, ...rest] = planned.agenda;
    if (!step) {
      const next = await store.commit(sessionId, seq, {
        meta: { agenda: [], replyCursor: planned.replyCursor },
        transcript: planned.transcript,
        inboxConsumed: inbox.length,
      });
      if (next !== undefined) await this.continueIfNeeded(sessionId, next, meta.epoch ?? 0, []);
      return 'idle';
    }

    const kind = this.kindOf(step);
    const stage = kind?.stage?.(step, meta) ?? {};
    const stepMeta: SessionMeta = { ...meta, ...stage, replyCursor: planned.replyCursor };
    let context: StepContext | undefined;
    let outcome: StepOutcome;
    let folded: Pick<SessionMeta, 'rollingSummary' | 'summarisedThrough'> | undefined;
    let result: 'ran' | 'skipped' = 'ran';
    const endTimer = this.deps.metrics?.stepSeconds.startTimer({ kind: step.kind });
    try {
      if (job.skip) throw new TableRoundError('step_abandoned', 'step revived too often', { publicMessage: 'This step kept stopping the worker that ran it.' });
      context = await this.buildContext(sessionId, seq, stepMeta, panel, planned.transcript, length, logger, outbox, attempt.signal);
      const unfolded = length - stepMeta.summarisedThrough;
      folded = kind?.buildsPrompt && unfolded >= this.deps.config.CONTEXT_RECENT_TURNS + foldSlack ? await this.foldSummary(context, length) : undefined;
      if (folded) context.recent = [...(await store.transcript(sessionId, folded.summarisedThrough, -1)), ...planned.transcript];
      if (!kind) throw new TableRoundError('internal', `no step kind "${step.kind}" is registered`);
      outcome = await kind.run(context, step);
      endTimer?.();
      if (kind.isPersonaTurn) this.deps.metrics?.turns.inc();
    } catch (error) {
      if (error instanceof StepSupersededError) {
        logger.warn({ step: step.kind }, 'another runner took this step over; stopping here');
        return 'stale';
      }
      this.deps.metrics?.errors.inc({ code: asTableRoundError(error).code });
      if (!attempt.final && !isPermanent(error) && !job.skip) throw error;
      outcome = await this.skip(sessionId, outbox, step, kind, panel, error, context, logger);
      result = 'skipped';
    }

    const agenda = [...(outcome.followUps ?? []), ...rest];
    const transcript: TranscriptEntry[] = [...planned.transcript, ...(outcome.transcript ?? [])];
    const commit = store.commit(sessionId, seq, {
      ...outcome,
      meta: {
        ...stage,
        ...(folded ?? {}),
        ...outcome.meta,
        agenda,
        replyCursor: planned.replyCursor,
      },
      transcript,
      inboxConsumed: inbox.length,
    });
    // Marked in the same round trip, ahead of the commit: work the commit leaves is never unindexed.
    const [next] = await Promise.all([commit, agenda.length > 0 ? this.hooks.markPending(sessionId) : undefined]);
    this.deps.metrics?.steps.inc({ kind: step.kind, outcome: next === undefined ? 'stale' : result });
    if (next === undefined) {
      logger.warn({ step: step.kind }, 'step ran but another attempt had already committed it');
      return 'stale';
    }
    await this.continueIfNeeded(sessionId, next, meta.epoch ?? 0, agenda);
    return result;
  }

  /**
   * The step failed for good: one short, true line in the thread (best effort), and what was
   * visible of an interrupted reply goes into the transcript, marked, so the record matches the
   * thread. The session goes on with the next step.
   */
  private async skip(
    sessionId: string,
    outbox: StepOutbox,
    step: Step,
    kind: RegisteredStepKind | undefined,
    panel: StepContext['panel'],
    error: unknown,
    context: StepContext | undefined,
    logger: Logger,
  ): Promise<StepOutcome> {
    const coded = asTableRoundError(error);
    logger.error({ err: coded, step: step.kind }, 'step failed for good; skipping it');
    this.deps.metrics?.stepsSkipped.inc({ kind: step.kind });
    const text = `⚠️ ${describeForPerson(coded)} Skipped: ${kind?.describe(step, panel) ?? step.kind}. The session continues — write in the thread or use a command.`;
    try {
      const target = context ?? { outbox, adapter: this.deps.adapterFor(sessionId.split(':')[0] ?? ''), sessionId, logger };
      // A stream an earlier attempt (in a process that died) left open is stopped as it stands.
      for (const { key, part } of outbox.openNativeStreams()) {
        await target.adapter.streaming?.native?.stop(sessionId, part.ref);
        await outbox.record(key, 0, { ...part, stopped: true });
      }
      await postOnce(target, 'failure', moderator, text);
    } catch (postError) {
      if (postError instanceof StepSupersededError) throw postError;
      logger.error({ err: postError }, 'could not post the failure notice');
    }
    const transcript: TranscriptEntry[] = [];
    if (context?.interrupted) {
      const { persona, text: shown } = context.interrupted;
      transcript.push(entry(context, { kind: 'persona', speakerId: persona.id, speakerName: persona.displayName, text: `${shown} (interrupted)` }));
    }
    return { transcript };
  }

  /** A session whose panel is no longer installed cannot go on: it is ended, with a line saying why. */
  private async endWithoutPanel(snapshot: StepSnapshot, outbox: StepOutbox, logger: Logger): Promise<StepResult> {
    const meta = snapshot.meta!;
    logger.error({ panelId: meta.panelId }, 'session uses a panel that is not installed; ending it');
    try {
      const adapter = this.deps.adapterFor(meta.sessionId.split(':')[0] ?? '');
      await postOnce({ outbox, adapter, sessionId: meta.sessionId, logger }, 'no-panel', moderator, `⚠️ This roundtable's panel “${meta.panelId}” is no longer installed, so the session ends here.`);
    } catch (error) {
      if (error instanceof StepSupersededError) return 'stale';
      logger.error({ err: error }, 'could not post the missing-panel notice');
    }
    await this.deps.store.commit(meta.sessionId, meta.seq, { meta: { agenda: [], status: 'ended', stage: 'ended' }, inboxConsumed: snapshot.inbox.length });
    return 'skipped';
  }

  private async continueIfNeeded(sessionId: string, next: { seq: number; inboxLength: number }, epoch: number, agenda: Step[]): Promise<void> {
    // The inbox length is read by the commit script after it advanced the seq: an event pushed
    // before that is counted here; one pushed after it kicks the new seq itself. Either way
    // exactly one job for the new seq exists.
    if (agenda.length > 0 || next.inboxLength > 0) await this.kickWithRetry(sessionId, next.seq, epoch);
  }

  /** Enqueues, retrying a refused add; if it still fails, the sweeper finds the session. */
  private async kickWithRetry(sessionId: string, seq: number, epoch: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.hooks.kick(sessionId, seq, epoch);
        return;
      } catch (error) {
        if (attempt >= kickRetries) {
          this.deps.logger.error({ err: error, sessionId, seq }, 'could not enqueue the next step; the sweeper will');
          return;
        }
        await sleep(100 * 2 ** attempt);
      }
    }
  }

  /**
   * The prompt window starts where the rolling summary ends and only grows until the next fold,
   * so consecutive prompts of a session share their prefix (providers' prompt caches hit); it is
   * capped at CONTEXT_RECENT_TURNS + foldSlack entries even if a fold fails.
   */
  private async buildContext(
    sessionId: string,
    seq: number,
    meta: SessionMeta,
    panel: StepContext['panel'],
    incoming: TranscriptEntry[],
    length: number,
    logger: Logger,
    outbox: StepOutbox,
    signal: AbortSignal | undefined,
  ): Promise<StepContext> {
    const { store, config } = this.deps;
    const start = Math.max(meta.summarisedThrough, length - (config.CONTEXT_RECENT_TURNS + foldSlack));
    const [stored, images] = await Promise.all([length > start ? store.transcript(sessionId, start, -1) : Promise.resolve([]), store.images(sessionId)]);
    const platform = sessionId.split(':')[0] ?? '';
    return {
      deps: this.deps,
      sessionId,
      seq,
      meta,
      panel,
      adapter: this.deps.adapterFor(platform),
      logger,
      recent: [...stored, ...incoming],
      images,
      outbox,
      ...(signal ? { signal } : {}),
    };
  }

  /**
   * Folds transcript entries that fell out of the recent window into the rolling summary (one
   * summary-model call), so prompts stay bounded. Runs inside the step, so it is serialised too.
   */
  private async foldSummary(context: StepContext, length: number): Promise<Pick<SessionMeta, 'rollingSummary' | 'summarisedThrough'> | undefined> {
    const { store, config, templates, models } = this.deps;
    const foldUntil = length - config.CONTEXT_RECENT_TURNS;
    if (foldUntil <= context.meta.summarisedThrough) return undefined;
    const older = await store.transcript(context.sessionId, context.meta.summarisedThrough, foldUntil - 1);
    const prompt = templates.render('rolling-summary', {
      maxChars: 1_500,
      language: detectLanguage(context.meta.topic),
      previousSummary: context.meta.rollingSummary || '(none yet)',
      transcript: older.map(formatEntry).join('\n'),
    });
    try {
      const result = await models.chat({ role: 'summary', messages: [{ role: 'user', content: prompt }], logger: context.logger, onUsage: (usage) => recordUsage(context, usage) });
      const folded = { rollingSummary: result.text.slice(0, 3_000), summarisedThrough: foldUntil };
      context.meta = { ...context.meta, ...folded };
      return folded;
    } catch (error) {
      // Without a new summary the window simply stays a little longer; the turn still runs.
      context.logger.warn({ err: error }, 'rolling summary failed; keeping the previous one');
      return undefined;
    }
  }

  private kindOf(step: Step): RegisteredStepKind | undefined {
    return this.deps.steps.get(step.kind);
  }
}

/** Entries the window may grow past CONTEXT_RECENT_TURNS before older ones are folded. */
export const foldSlack = 8;
