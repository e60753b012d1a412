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
 * - Prompts fit their model's window: before a step that builds a discussion prompt, the rolling
 *   summary is folded when the window has grown by CONTEXT_RECENT_TURNS + foldSlack entries *or*
 *   the session context would not fit the smallest window of the session's models
 *   (engine/session-budget.ts). A provider that still refuses the prompt as too long
 *   (`model_context_exceeded`) makes the step assume the window it named, or half the one it
 *   was fitted to, fold again and run once more — not retry the same prompt, not skip
 *   (step-window.ts).
 * - Different sessions are different jobs and run in parallel up to the worker's concurrency.
 * - `/stop` (stop-signals.ts): a running step is watched for a stop of its session and seq; a stop
 *   aborts its signal (the model request with it), the stream is finished as it stands, and the
 *   step commits what was shown as `stopped` — not retried, not skipped. The stop's own inbox
 *   event, applied at the next step, drops what was planned. A re-run of a step whose inbox holds
 *   a stop first finishes the streams its earlier attempt left (engine/stopped-attempt.ts).
 * - People's requests change session settings (`paused`, `muted`) through the planner; those
 *   changes hold for the step that applied them and are committed with it.
 */
import { randomUUID } from 'node:crypto';
import { installedPanel } from '../community/session-panel.ts';
import { sessionPanel } from '../panels/presets.ts';
import { asTableRoundError, TableRoundError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import { lazyChild } from '../logging/lazy-child.ts';
import type { SessionMeta, Step, TranscriptEntry } from '../session/session-types.ts';
import type { StepSnapshot } from '../store/session-store.ts';
import { applyInbox } from '../engine/agenda.ts';
import { t } from '../i18n/translate.ts';
import { commandUsage, settleUsage, type EngineDependencies, type StepContext, type StepOutcome } from '../engine/step-context.ts';
import type { RegisteredStepKind } from '../engine/step-kind.ts';
import { StepOutbox, StepSupersededError } from './step-outbox.ts';
import type { StepAttempt, StepFailureReason, StepJobData, StepProcessor } from './step-queue.ts';
import { skipError } from './step-liveness.ts';
import { duplicateConnection } from '../store/redis-connection.ts';
import { isStopRequested, StopRequestedError, StopSignals } from './stop-signals.ts';
import { finishStoppedAttempt } from '../engine/stopped-attempt.ts';
import { buildStepContext, foldedMeta, foldSlack, runWithinWindow } from './step-window.ts';
import { endWithoutPanel, skipStep, stoppedOutcome, type SkippedStep } from './step-endings.ts';
import type { InboxEvent } from '../adapter/inbound-event.ts';
import { platformOfSession } from '../session/session-id.ts';

/** How the step machine reaches the queue and the pending index. */
export interface PipelineHooks {
  /** Adds the job for (seq, epoch); idempotent. */
  kick(sessionId: string, seq: number, epoch: number): Promise<void>;
  /** Marks the session in the pending index (before work becomes visible). */
  markPending(sessionId: string): Promise<void>;
}

export { foldSlack } from './step-window.ts';

/** `elsewhere`: this process has no adapter for the session's platform; the job is handed back (step-queue.ts). */
export type StepResult = 'gone' | 'stale' | 'idle' | 'ran' | 'skipped' | 'stopped' | 'elsewhere';

/** A `/stop` request in a session's inbox. */
const isStopEvent = (event: InboxEvent) => event.action.type === 'command' && event.action.name === 'stop';

/** Errors that another attempt cannot fix: the step is skipped at once. */
const permanentCodes = new Set(['model_refused', 'model_bad_output', 'model_not_configured', 'panel_invalid', 'panel_unknown']);

export function isPermanent(error: unknown): boolean {
  return error instanceof TableRoundError && permanentCodes.has(error.code);
}

const kickRetries = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class StepMachine implements StepProcessor {
  /** Listens for `/stop` while this process runs steps (started by the worker). */
  private stops: StopSignals | undefined;
  /** When this process last warned that it hands a platform's steps back. */
  private readonly handBackWarnedAt = new Map<string, number>();

  constructor(
    private readonly deps: EngineDependencies,
    private readonly hooks: PipelineHooks,
  ) {}

  /** Opens the dedicated subscriber connection for `/stop` (a subscriber can do nothing else). */
  start(): void {
    if (this.stops) return;
    const { store, logger } = this.deps;
    const subscriber = duplicateConnection(store.redis, 'stop-listener');
    subscriber.on('error', (error: Error) => logger.warn({ connection: 'stop-listener', err: error }, 'redis connection error'));
    this.stops = new StopSignals(subscriber, store.keys.stopChannel(), logger);
    this.stops.start();
  }

  async close(): Promise<void> {
    await this.stops?.close();
    this.stops = undefined;
  }

  /**
   * Processes step `seq` of a session. `attempt.final`: when this attempt fails, the step is
   * skipped with a message in the thread instead of being retried. Returns what happened.
   */
  async process(job: Required<Pick<StepJobData, 'sessionId' | 'seq' | 'epoch'>> & Pick<StepJobData, 'reason'> & { skip: boolean }, attempt: StepAttempt): Promise<StepResult> {
    const { store } = this.deps;
    const { sessionId, seq, epoch } = job;
    // The snapshot claims the step as it reads it (rule 4 of the outbox): this runner is the
    // step's from here, and an older one still running stops at its next write. Only where this
    // process can post the session's platform; the claim is written only for the session's
    // current step of a session that has not ended.
    const here = this.hasAdapterFor(sessionId);
    const token = randomUUID();
    const snapshot = await store.snapshot(sessionId, {
      windowEntries: this.deps.config.CONTEXT_RECENT_TURNS + foldSlack,
      ...(here ? { claim: { seq, epoch, runnerField: StepOutbox.runnerField(seq), token } } : {}),
    });
    const { meta, inbox, poll } = snapshot;
    if (!meta) return 'gone';
    if (meta.seq !== seq || (meta.epoch ?? 0) !== epoch) {
      // Behind the session (its step was committed meanwhile), or kicked under an epoch that a
      // revival has since raised (a runner that lost its lock and still committed kicks the next
      // step under the epoch it read): the session's own step gets its job. Idempotent by job id.
      const behind = seq < meta.seq || (seq === meta.seq && epoch < (meta.epoch ?? 0));
      if (behind && (meta.agenda.length > 0 || inbox.length > 0)) await this.kickWithRetry(sessionId, meta.seq, meta.epoch ?? 0);
      return 'stale';
    }
    const logger = lazyChild(this.deps.logger, { sessionId, seq });
    if (!here) {
      // A worker started without this platform's token (a mixed deployment): not a failure of the
      // step, and skipping it could not even say so in the thread. Another worker may post it.
      const platform = platformOfSession(sessionId);
      // Said once a minute per platform: a step is handed back several times a second until a worker that can post it takes it.
      if (Date.now() - (this.handBackWarnedAt.get(platform) ?? 0) > 60_000) {
        this.handBackWarnedAt.set(platform, Date.now());
        logger.warn({ platform }, 'no adapter for this session\'s platform in this process; handing its steps back to workers that have one');
      }
      this.deps.metrics?.stepsHandedBack.inc({ platform });
      return 'elsewhere';
    }
    const location = { redis: store.redis, outboxKey: store.key('outbox', sessionId), metaKey: store.key('meta', sessionId), notesKey: store.key('notes', sessionId), ttlMs: store.ttlMs };
    const outbox = new StepOutbox(location, seq, snapshot.outbox, attempt.superseded, snapshot.claimed ? token : undefined);

    if (meta.status === 'ended') {
      // Nothing runs after the end; events that raced with it are dropped with the session's record intact.
      if (inbox.length) await store.commit(sessionId, seq, { inboxConsumed: inbox.length });
      return 'idle';
    }
    // The current step of a live session, read atomically with its claim: never unclaimed here.
    if (!snapshot.claimed) return 'stale';

    const installed = installedPanel(this.deps.panels, meta);
    // The preset's seats: a `quick` session speaks with the first few of its panel only.
    const panel = installed && sessionPanel(installed, this.deps.presets, meta);
    if (!panel) return endWithoutPanel(this.deps, snapshot, outbox, logger);
    const platform = platformOfSession(sessionId);
    const usage = (name: string, args?: string) => {
      try {
        return commandUsage({ adapter: this.deps.adapterFor(platform), deps: this.deps }, name, args);
      } catch {
        return `\`/${name}${args ? ` ${args}` : ''}\``;
      }
    };
    const planned = applyInbox({ meta, panel, agenda: meta.agenda, pollOpen: poll?.status === 'open', maxRounds: this.deps.config.MAX_ROUNDS, usage }, inbox, this.deps.commands);
    const plannedStops = new Set(inbox.filter(isStopEvent).map((event) => event.eventId));
    const { signal: attemptSignal, stop } = attempt;
    const also = attemptSignal && stop ? { signal: attemptSignal, abort: stop } : attemptSignal;
    const watch = this.stops?.watch({ sessionId, seq, planned: plannedStops, readRequest: () => store.stopRequest(sessionId) }, also);
    try {
      return await this.runPlanned({ sessionId, seq, job, attempt, snapshot, outbox, logger, panel, planned, plannedStops, stopSignal: watch?.signal });
    } finally {
      watch?.release();
    }
  }

  /** Runs the first planned step (or commits an idle boundary), and commits it. */
  private async runPlanned(run: {
    sessionId: string;
    seq: number;
    job: { skip: boolean; reason?: StepFailureReason };
    attempt: { final: boolean; signal?: AbortSignal };
    snapshot: StepSnapshot;
    outbox: StepOutbox;
    logger: Logger;
    panel: StepContext['panel'];
    planned: ReturnType<typeof applyInbox>;
    plannedStops: ReadonlySet<string>;
    stopSignal: AbortSignal | undefined;
  }): Promise<StepResult> {
    const { store } = this.deps;
    const { sessionId, seq, job, attempt, snapshot, outbox, logger, panel, planned, plannedStops } = run;
    const { inbox, transcriptLength: length } = snapshot;
    const meta: SessionMeta = { ...snapshot.meta!, ...planned.meta };
    // The durable marker, read with the snapshot: a stop of this very step that its inbox did not hold.
    const marker = meta.stopRequest;
    const stoppedAlready = marker?.seq === seq && !plannedStops.has(marker.eventId) ? AbortSignal.abort(new StopRequestedError(marker.eventId)) : undefined;
    // The watch's signal carries the attempt's too (stop-signals.ts `watch`).
    const signals = (run.stopSignal ? [run.stopSignal, stoppedAlready] : [attempt.signal, stoppedAlready]).filter((signal): signal is AbortSignal => signal !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    // A channel may set a smaller budget for its sessions (src/community/channel-settings.ts).
    const budget = meta.tokenBudget !== undefined && (this.deps.config.SESSION_TOKEN_BUDGET === 0 || meta.tokenBudget < this.deps.config.SESSION_TOKEN_BUDGET) ? meta.tokenBudget : this.deps.config.SESSION_TOKEN_BUDGET;
    const overBudget = budget > 0 && meta.tokensPrompt + meta.tokensCompletion >= budget;
    if (overBudget && planned.agenda.some((step) => this.kindOf(step)?.usesModel ?? true)) {
      // Spent sessions stop costing: what needs a model is dropped (closing keeps its summary).
      const hints = { adapter: this.deps.adapterFor(platformOfSession(sessionId)), deps: this.deps };
      const stillWork = t(meta.language, 'list.and', { first: commandUsage(hints, 'vote', 'close'), second: commandUsage(hints, 'end') });
      const notice = t(meta.language, 'budget.sessionSpent', { budget: budget.toLocaleString('en'), commands: stillWork });
      planned.agenda = [{ kind: 'notice', text: notice }, ...planned.agenda.filter((step) => !(this.kindOf(step)?.usesModel ?? true))];
    }
    const [step, ...rest] = planned.agenda;
    if (!step) {
      const next = await store.commit(sessionId, seq, {
        meta: { ...planned.meta, agenda: [], replyCursor: planned.replyCursor },
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
    let result: 'ran' | 'skipped' | 'stopped' = 'ran';
    /** What an earlier, stopped attempt of this step left in the thread, finished now. */
    let finishedEarlier: TranscriptEntry[] = [];
    const endTimer = this.deps.metrics?.stepSeconds.startTimer({ kind: step.kind });
    try {
      if (job.skip) throw skipError(job.reason);
      context = buildStepContext(this.deps, sessionId, seq, stepMeta, panel, planned.transcript, snapshot.window, logger, outbox, signal, rest);
      if (plannedStops.size > 0 && outbox.isRerun) finishedEarlier = await finishStoppedAttempt(context);
      if (!kind) throw new TableRoundError('internal', `no step kind "${step.kind}" is registered`);
      outcome = await runWithinWindow(this.deps, context, kind, step, length, planned.transcript);
      endTimer?.();
      if (kind.isPersonaTurn) this.deps.metrics?.turns.inc();
    } catch (error) {
      if (error instanceof StepSupersededError) {
        logger.warn({ step: step.kind }, 'another runner took this step over; stopping here');
        return 'stale';
      }
      if (isStopRequested(signal)) {
        // A person stopped it: what was shown stays (the stream was finished "(stopped)"); not a failure.
        logger.info({ step: step.kind }, 'step stopped by a person');
        outcome = stoppedOutcome(context, stepMeta.language);
        result = 'stopped';
      } else {
        // Aborted at its deadline (step-queue.ts): that is what the step failed of, whatever the
        // aborted request threw.
        const failure = signal?.aborted && signal.reason instanceof TableRoundError ? signal.reason : error;
        outcome = await this.failed(failure, { sessionId, outbox, step, kind, panel, context, stepMeta, attempt, job, logger });
        result = 'skipped';
      }
    }

    // Its token use is written before the step commits (a next step's budget check reads it).
    if (context) await settleUsage(context);
    // A fold made before the step ran (or failed) is committed either way.
    const folded = context ? foldedMeta(context.meta, stepMeta) : undefined;
    const agenda = [...(outcome.followUps ?? []), ...rest];
    const transcript: TranscriptEntry[] = [...planned.transcript, ...finishedEarlier, ...(outcome.transcript ?? [])];
    const commit = store.commit(sessionId, seq, {
      ...outcome,
      meta: {
        ...planned.meta,
        ...stage,
        ...(folded ?? {}),
        ...(context?.meta.language ? { language: context.meta.language } : {}),
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

  /** A failed step: rethrown for another attempt, or (final, permanent, abandoned) skipped with a notice. */
  private async failed(error: unknown, run: SkippedStep & { stepMeta: SessionMeta; attempt: { final: boolean }; job: { skip: boolean } }): Promise<StepOutcome> {
    const { context, stepMeta, attempt, job } = run;
    this.deps.metrics?.errors.inc({ code: asTableRoundError(error).code });
    if (!attempt.final && !isPermanent(error) && !job.skip) throw error;
    // Said in the step's language; a step that failed before its context was built has the stored one.
    return skipStep(this.deps, run, error, context?.meta.language ?? stepMeta.language);
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

  private hasAdapterFor(sessionId: string): boolean {
    try {
      this.deps.adapterFor(platformOfSession(sessionId));
      return true;
    } catch {
      return false;
    }
  }

  private kindOf(step: Step): RegisteredStepKind | undefined {
    return this.deps.steps.get(step.kind);
  }
}
