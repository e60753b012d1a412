/**
 * Runs one step of one session: the body of every step job.
 *
 * Serialisation design (BullMQ has no per-key groups in its open-source edition):
 * - A session has a sequence number `seq` in its meta. The job for a session's next step has the
 *   id `step__{session}__{seq}`; BullMQ ignores an add whose job id exists, so any number of
 *   callers may "kick" a session at the same seq and exactly one job results.
 * - A job runs only if its seq equals the session's current seq, and its writes are committed by
 *   a Lua script that checks the seq again and advances it (SessionStore.commit). So at most one
 *   step — and so at most one model call — is in flight per session, a duplicated or retried job
 *   is a no-op once its step committed, and steps run strictly in order.
 * - After committing, the job enqueues seq+1 if there is more to do. An inbound event first
 *   appends to the session's inbox list and then kicks the current seq; since the committing job
 *   advances seq before it looks at the inbox, no event is ever left without a job (the classic
 *   "check after publish" order).
 * - Different sessions are different jobs and run in parallel up to the worker's concurrency.
 */
import { asTableRoundError, TableRoundError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import type { SessionMeta, Step, TranscriptEntry } from '../session/session-types.ts';
import { applyInbox } from './agenda.ts';
import { describeForPerson } from './describe-error.ts';
import { formatEntry } from './prompt-builder.ts';
import { detectLanguage } from '../prompts/detect-language.ts';
import { moderator, postOnce, recordUsage, type EngineDependencies, type StepContext, type StepOutcome } from './step-context.ts';
import { runClosing } from './steps/closing-step.ts';
import { runImageDescribe } from './steps/image-steps.ts';
import { runImagine } from './steps/imagine-step.ts';
import { runNotice, runOpening, runPause, runSwitchRoles } from './steps/moderator-steps.ts';
import { runSpeechStep } from './steps/speech-steps.ts';
import { runKeywords, runPersonaBallot, runPersonBallot, runPollClose, runPollOpen } from './steps/vote-steps.ts';

export type Enqueue = (sessionId: string, seq: number) => Promise<void>;

/** Errors that another attempt cannot fix. */
const permanentCodes = new Set(['model_refused', 'model_bad_output', 'model_not_configured', 'panel_invalid', 'panel_unknown', 'internal']);

export function isPermanent(error: unknown): boolean {
  return error instanceof TableRoundError && permanentCodes.has(error.code);
}

export class StepMachine {
  constructor(
    private readonly deps: EngineDependencies,
    private readonly enqueue: Enqueue,
  ) {}

  /**
   * Processes step `seq` of a session. `finalAttempt`: when this attempt fails, the step is
   * skipped with a message in the thread instead of being retried.
   * Returns what happened, for logs and tests.
   */
  async process(sessionId: string, seq: number, finalAttempt: boolean): Promise<'stale' | 'idle' | 'ran' | 'skipped'> {
    const { store } = this.deps;
    const { meta, inbox, poll, transcriptLength: length } = await store.snapshot(sessionId);
    if (!meta || meta.seq !== seq) return 'stale';
    const logger = this.deps.logger.child({ sessionId, seq });

    if (meta.status === 'ended') {
      // Nothing runs after the end; events that raced with it are dropped with the session's record intact.
      if (inbox.length) await store.commit(sessionId, seq, { inboxConsumed: inbox.length });
      return 'idle';
    }

    const panel = this.deps.panels.get(meta.panelId);
    if (!panel) throw new TableRoundError('panel_unknown', `session ${sessionId} uses unknown panel ${meta.panelId}`);
    const planned = applyInbox({ meta, panel, agenda: meta.agenda, pollOpen: poll?.status === 'open' }, inbox);
    const budget = this.deps.config.SESSION_TOKEN_BUDGET;
    const overBudget = budget > 0 && meta.tokensPrompt + meta.tokensCompletion >= budget;
    if (overBudget && planned.agenda.some(usesModel)) {
      // Spent sessions stop costing: what needs a model is dropped (closing keeps its summary).
      planned.agenda = [{ kind: 'notice', text: `⚠️ This roundtable has used its token budget (${budget.toLocaleString('en')} tokens); the panel stops here. /vote close and /end still work.` }, ...planned.agenda.filter((step) => !usesModel(step))];
    }
    const [step, ...rest] = planned.agenda;
    if (!step) {
      const next = await store.commit(sessionId, seq, {
        meta: { agenda: [], replyCursor: planned.replyCursor },
        transcript: planned.transcript,
        inboxConsumed: inbox.length,
      });
      if (next !== undefined) await this.continueIfNeeded(sessionId, next, []);
      return 'idle';
    }

    const stepMeta: SessionMeta = { ...meta, ...stageFor(step, meta), replyCursor: planned.replyCursor };
    const context = await this.buildContext(sessionId, seq, stepMeta, panel, planned.transcript, length, logger);
    const unfolded = length - stepMeta.summarisedThrough;
    const folded = buildsPrompt(step) && unfolded >= this.deps.config.CONTEXT_RECENT_TURNS + foldSlack ? await this.foldSummary(context, length) : undefined;
    if (folded) context.recent = [...(await store.transcript(sessionId, folded.summarisedThrough, -1)), ...planned.transcript];

    let outcome: StepOutcome;
    let result: 'ran' | 'skipped' = 'ran';
    const endTimer = this.deps.metrics?.stepSeconds.startTimer({ kind: step.kind });
    try {
      outcome = await this.run(context, step);
      endTimer?.();
      if (step.kind === 'introduction' || step.kind === 'turn' || step.kind === 'image-story') this.deps.metrics?.turns.inc();
    } catch (error) {
      this.deps.metrics?.errors.inc({ code: asTableRoundError(error).code });
      if (!finalAttempt && !isPermanent(error)) throw error;
      const coded = asTableRoundError(error);
      logger.error({ err: coded, step: step.kind }, 'step failed; skipping it');
      await postOnce(context, 'failure', moderator, `⚠️ ${describeForPerson(coded)} Skipped: ${describeStep(step, panel)}. The session continues — write in the thread or use a command.`).catch(
        (postError: unknown) => logger.error({ err: postError }, 'could not post the failure notice'),
      );
      outcome = {};
      result = 'skipped';
    }

    const followUps = outcome.followUps ?? [];
    const agenda = [...followUps, ...rest];
    const transcript: TranscriptEntry[] = [...planned.transcript, ...(outcome.transcript ?? [])];
    const next = await store.commit(sessionId, seq, {
      ...outcome,
      meta: {
        ...stageFor(step, meta),
        ...(folded ?? {}),
        ...outcome.meta,
        agenda,
        replyCursor: planned.replyCursor,
      },
      transcript,
      inboxConsumed: inbox.length,
    });
    this.deps.metrics?.steps.inc({ kind: step.kind, outcome: next === undefined ? 'stale' : result });
    if (next === undefined) {
      logger.warn({ step: step.kind }, 'step ran but another attempt had already committed it');
      return 'stale';
    }
    await this.continueIfNeeded(sessionId, next, agenda);
    return result;
  }

  private async continueIfNeeded(sessionId: string, next: { seq: number; inboxLength: number }, agenda: Step[]): Promise<void> {
    // The inbox length is read by the commit script after it advanced the seq: an event pushed
    // before that is counted here; one pushed after it kicks the new seq itself. Either way
    // exactly one job for the new seq exists.
    if (agenda.length > 0 || next.inboxLength > 0) await this.enqueue(sessionId, next.seq);
  }

  /**
   * The prompt window starts where the rolling summary ends and only grows until the next fold,
   * so consecutive prompts of a session share their prefix (providers' prompt caches hit); it is
   * capped at CONTEXT_RECENT_TURNS + foldSlack entries even if a fold fails.
   */
  private async buildContext(sessionId: string, seq: number, meta: SessionMeta, panel: StepContext['panel'], incoming: TranscriptEntry[], length: number, logger: Logger): Promise<StepContext> {
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

  private run(context: StepContext, step: Step): Promise<StepOutcome> {
    switch (step.kind) {
      case 'opening':
        return runOpening(context);
      case 'introduction':
      case 'turn':
      case 'image-story':
        return runSpeechStep(context, step);
      case 'image-describe':
        return runImageDescribe(context, step);
      case 'pause':
        return runPause(context);
      case 'keywords':
        return runKeywords(context, step);
      case 'poll-open':
        return runPollOpen(context);
      case 'persona-ballot':
        return runPersonaBallot(context, step);
      case 'person-ballot':
        return runPersonBallot(context, step);
      case 'poll-close':
        return runPollClose(context);
      case 'switch-roles':
        return runSwitchRoles(context);
      case 'imagine':
        return runImagine(context, step);
      case 'notice':
        return runNotice(context, step);
      case 'closing':
        return runClosing(context, step);
    }
  }
}

/** Steps that call a model (the closing summary is allowed even over budget). */
function usesModel(step: Step): boolean {
  return !['opening', 'notice', 'poll-open', 'person-ballot', 'poll-close', 'switch-roles', 'closing'].includes(step.kind);
}

/** Entries the window may grow past CONTEXT_RECENT_TURNS before older ones are folded. */
export const foldSlack = 8;

/** Folding is checked only before steps that build a discussion prompt. */
function buildsPrompt(step: Step): boolean {
  return step.kind === 'turn' || step.kind === 'pause' || step.kind === 'keywords' || step.kind === 'closing' || step.kind === 'image-story';
}

function stageFor(step: Step, meta: SessionMeta): Partial<SessionMeta> {
  switch (step.kind) {
    case 'opening':
    case 'introduction':
      return { stage: 'opening' };
    case 'turn':
      return step.reason === 'reflection' ? { stage: 'switch', round: step.round } : { stage: 'discussion', round: Math.max(meta.round, step.round) };
    case 'keywords':
      return { stage: 'keywords' };
    case 'closing':
      return { stage: 'closing' };
    case 'imagine':
      return { stage: 'imagine' };
    default:
      return {};
  }
}

function describeStep(step: Step, panel: { personas: { id: string; displayName: string }[] }): string {
  const name = 'personaId' in step ? (panel.personas.find((persona) => persona.id === step.personaId)?.displayName ?? step.personaId) : '';
  switch (step.kind) {
    case 'introduction':
      return `${name}'s introduction`;
    case 'turn':
      return `${name}'s turn`;
    case 'image-story':
      return `${name}'s image story`;
    case 'keywords':
      return `${name}'s keywords`;
    case 'persona-ballot':
      return `${name}'s ballot`;
    case 'image-describe':
      return 'the image description';
    case 'pause':
      return 'the moderator synthesis';
    case 'closing':
      return 'the closing summary';
    default:
      return step.kind;
  }
}
