/**
 * /end: closes an open poll, writes the closing summary (structured: decisions, open questions,
 * each persona's takeaway, a design card), posts it, attaches the transcript as Markdown, and
 * archives the thread where the platform allows.
 *
 * The summary answer is repaired before it is rejected (summary-repair.ts: missing lists, strings
 * for lists, takeaways as a name→text map …); it is "unavailable" only when nothing usable came
 * back even after the gateway's corrective retry. Its outcome is reported (structured-outcome.ts).
 * The prompt is fitted to the summary model's window (transcript-prompt.ts: the oldest entries and
 * the rolling summary give way, the instructions never), leaving the summary's cap free.
 *
 * Why it ended is said on the transcript's line: "Session ended by X", or, when the idle closer
 * ended it (src/pipeline/idle-closer.ts, `step.by` is its bot person), "Closed after N hours
 * without activity" (N = IDLE_END_HOURS, in the session's language). Muted panelists
 * (`meta.muted`) are not asked for a takeaway, any the model gives them anyway is dropped, and
 * the takeaways say each was muted.
 */
import { z } from 'zod';
import { idleEndHours } from '../../config/config-schema.ts';
import { asTableRoundError } from '../../errors.ts';
import type { Persona } from '../../panels/panel-schema.ts';
import { isIdleCloser } from '../../pipeline/idle-closer.ts';
import { describeForPerson } from '../describe-error.ts';
import { promptLanguage } from '../../prompts/session-language.ts';
import type { StepOf, TranscriptEntry } from '../../session/session-types.ts';
import { joinList, t } from '../../i18n/translate.ts';
import { defineStep } from '../step-kind.ts';
import { callAccounting, earlierPayload, entry, moderator, postOnce, promptFit, savePayload, type StepContext, type StepOutcome } from '../step-context.ts';
import { fitTranscriptPrompt, type TranscriptPrompt } from '../transcript-prompt.ts';
import { renderSummaryMarkdown, renderTranscriptMarkdown } from '../transcript-markdown.ts';
import { runPollClose } from './vote-steps.ts';
import { gatherRecord, transcriptFiles } from './closing-record.ts';
import { repairClosingSummary } from '../summary-repair.ts';
import { isUnusableAnswer, outcomeOf, reportOutcome, structuredOutcomes, trackRepairs, type StructuredOutcome } from '../structured-outcome.ts';

export const closingSummarySchema = z.object({
  decisions: z.array(z.string()).max(10),
  /** Where the panel split: each position with the panelists who held it, in their words. */
  splits: z
    .array(
      z.object({
        question: z.string(),
        positions: z.array(z.object({ position: z.string(), panelists: z.array(z.string()).max(12), inTheirWords: z.string().optional() })).max(6),
      }),
    )
    .max(6),
  openQuestions: z.array(z.string()).max(10),
  /** Next steps, with an owner only where the discussion named one. */
  nextSteps: z.array(z.object({ step: z.string(), owner: z.string().optional() })).max(10),
  takeaways: z.array(z.object({ name: z.string(), takeaway: z.string() })).max(12),
  designCard: z.object({
    name: z.string(),
    form: z.string(),
    elements: z.array(z.string()).max(10),
    functions: z.array(z.string()).max(10),
    targetUsers: z.string(),
    meaning: z.string(),
  }),
});
export type ClosingSummary = z.infer<typeof closingSummarySchema>;

/** The summary's completion cap (tokens), kept free of the prompt. */
const summaryMaxTokens = 1_500;

export async function runClosing(context: StepContext, step: StepOf<'closing'>): Promise<StepOutcome> {
  const outcome: StepOutcome = { transcript: [] };
  let votedKeywords = context.meta.votedKeywords;
  const poll = await context.deps.store.poll(context.sessionId);
  if (poll?.status === 'open') {
    const closed = await runPollClose(context);
    outcome.poll = closed.poll;
    outcome.transcript!.push(...(closed.transcript ?? []));
    outcome.notes = { ...closed.notes };
    votedKeywords = closed.meta?.votedKeywords ?? votedKeywords;
  }
  const { language } = context.meta;
  // The session ends even when the summary model fails: the transcript matters more. A re-run
  // reuses the summary an earlier attempt saved, so the thread never shows two different ones.
  let summary: ClosingSummary | undefined;
  let summaryMarkdown: string;
  // Unknown only when the summary model failed for another reason than its answer (provider down).
  let answerOutcome: StructuredOutcome | undefined;
  const saved = earlierPayload(context, 'summary');
  if (saved !== undefined) {
    const parsed = JSON.parse(saved) as { summary?: ClosingSummary; markdown: string; outcome?: string };
    summary = parsed.summary;
    summaryMarkdown = parsed.markdown;
    answerOutcome = structuredOutcomes.find((known) => known === parsed.outcome);
  } else {
    const repair = trackRepairs(closingSummarySchema, repairClosingSummary);
    const prompt = closingPrompt(context, votedKeywords, [...context.recent, ...(outcome.transcript ?? [])]);
    try {
      const result = await context.deps.models.json(closingSummarySchema, 'closing_summary', {
        role: 'summary',
        messages: prompt.messages,
        maxTokens: summaryMaxTokens,
        coerce: repair.coerce,
        logger: context.logger,
        ...callAccounting(context),
      });
      summary = withMutedTakeaways(result.value, mutedPersonas(context), language);
      answerOutcome = outcomeOf(result, repair);
      // The decision record: the people's and the panel's votes from the ballots, token use from the store.
      const record = await gatherRecord(context, { summary, extra: outcome.transcript ?? [], endedBy: endedByOf(step) });
      summaryMarkdown = renderSummaryMarkdown(summary, votedKeywords, language, { votes: record.decision?.votes ?? [], usage: record.usage });
    } catch (error) {
      if (context.signal?.aborted) throw error;
      if (isUnusableAnswer(error)) answerOutcome = 'skipped';
      const coded = asTableRoundError(error);
      context.logger.error({ err: coded }, 'closing summary failed; ending without it');
      summaryMarkdown = t(language, 'closing.unavailable', {
        reason: describeForPerson(coded, language),
        keywords: votedKeywords.length ? joinList(language, votedKeywords) : t(language, 'summary.noVote'),
      });
    }
    await savePayload(context, 'summary', JSON.stringify({ ...(summary ? { summary } : {}), markdown: summaryMarkdown, ...(answerOutcome ? { outcome: answerOutcome } : {}) }));
  }
  const outcomeNotes = answerOutcome ? reportOutcome(context, await context.deps.store.notes(context.sessionId), 'closing_summary', answerOutcome, { reused: saved !== undefined }) : {};
  await postOnce(context, 'summary', moderator, summaryMarkdown);
  const summaryEntry = entry(context, { kind: 'moderator', speakerId: 'moderator', speakerName: 'Moderator', text: summaryMarkdown, stage: 'closing' });
  const stored = await context.deps.store.transcript(context.sessionId);
  const meta = (await context.deps.store.load(context.sessionId)) ?? context.meta;
  const markdown = renderTranscriptMarkdown(meta, context.panel, [...stored, ...(outcome.transcript ?? []), summaryEntry], summaryMarkdown);
  const baseName = `tableround-${context.meta.createdAt}-${context.meta.topic.replace(/[^\p{L}\p{N}]+/gu, '-').slice(0, 40).replace(/^-|-$/g, '') || 'session'}`;
  const endedLine = isIdleCloser(step.by)
    ? t(language, 'closing.idle', { duration: idleDuration(idleEndHours(context.deps.config), language) })
    : t(language, 'closing.ended', { name: step.by.displayName });
  const record = await gatherRecord(context, { summary, extra: [...(outcome.transcript ?? []), summaryEntry], endedBy: endedByOf(step) });
  await postOnce(context, 'transcript', moderator, endedLine, await transcriptFiles(context, record, markdown, baseName));
  if (context.adapter.archive) {
    await context.adapter.archive(context.sessionId).catch((error: unknown) => context.logger.warn({ err: error }, 'archiving the thread failed'));
  }
  return {
    ...outcome,
    meta: { stage: 'ended', status: 'ended', votedKeywords },
    transcript: [...(outcome.transcript ?? []), summaryEntry],
    notes: { ...outcome.notes, ...outcomeNotes, ...(summary ? { 'moderator:summary': JSON.stringify(summary) } : {}) },
  };
}

/** Who ended the session, for the record: a name, or "idle" when the idle closer did. */
function endedByOf(step: StepOf<'closing'>): string {
  return isIdleCloser(step.by) ? 'idle' : step.by.displayName;
}

/** The session's panelists muted by /mute (`meta.muted`), in speaking order. */
function mutedPersonas(context: Pick<StepContext, 'meta' | 'panel'>): Persona[] {
  const muted = new Set(context.meta.muted ?? []);
  return context.panel.personas.filter((persona) => muted.has(persona.id));
}

/** True when a takeaway's name is this persona's: its display name, first name, the name in its brackets ("巴雅尔"), or its id. */
function namesPersona(name: string, persona: Persona): boolean {
  const wanted = name.trim().toLowerCase();
  const firstName = persona.displayName.split(/[\s(（]/)[0]?.toLowerCase();
  const inner = /[(（]([^)）]+)[)）]/.exec(persona.displayName)?.[1]?.toLowerCase();
  return [persona.displayName.toLowerCase(), persona.id.toLowerCase(), firstName, inner].some((candidate) => candidate !== undefined && candidate.length > 1 && wanted === candidate);
}

/** Takeaways without the muted panelists' (the model was told to give none), then one line per muted panelist saying so. */
export function withMutedTakeaways(summary: ClosingSummary, muted: readonly Persona[], language: string | undefined): ClosingSummary {
  if (!muted.length) return summary;
  const spoken = summary.takeaways.filter((takeaway) => !muted.some((persona) => namesPersona(takeaway.name, persona)));
  return { ...summary, takeaways: [...spoken, ...muted.map((persona) => ({ name: persona.displayName, takeaway: t(language, 'closing.mutedTakeaway') }))] };
}

/** The panelists the summary names for takeaways, and those it must not (muted), for the prompt. */
export function takeawayNames(personas: readonly Persona[], muted: readonly Persona[]): string {
  const mutedIds = new Set(muted.map((persona) => persona.id));
  const speaking = personas.filter((persona) => !mutedIds.has(persona.id)).map((persona) => persona.displayName).join(', ');
  if (!muted.length) return speaking;
  const names = muted.map((persona) => persona.displayName).join(', ');
  return `${speaking || '(none)'} — and none for ${names}: muted by the people, ${muted.length > 1 ? 'they get' : 'this panelist gets'} no takeaway`;
}

/** IDLE_END_HOURS as a person reads it in `language`: "12 hours", "30 minutes", "12小时". */
export function idleDuration(hours: number, language: string | undefined): string {
  const [value, unit] = hours >= 1 ? [hours, 'hour'] : hours * 60 >= 1 ? [hours * 60, 'minute'] : [hours * 3_600, 'second'];
  const format = (locale: string) => new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long', maximumFractionDigits: 1 }).format(value);
  try {
    return format(language || 'en');
  } catch {
    // A language code Intl does not take.
    return format('en');
  }
}

/** The closing-summary prompt over `entries`, fitted to the summary model's window with the summary's cap left free. */
function closingPrompt(context: StepContext, votedKeywords: string[], entries: TranscriptEntry[]): TranscriptPrompt {
  const fit = promptFit(context);
  return fitTranscriptPrompt({
    render: (transcript, summary) =>
      context.deps.templates.render('closing-summary', {
        topic: context.meta.topic,
        language: promptLanguage(context.meta),
        personaNames: takeawayNames(context.panel.personas, mutedPersonas(context)),
        votedKeywords: votedKeywords.length ? votedKeywords.join(', ') : '(none)',
        summary: summary || '(none)',
        transcript: transcript || '(nothing was said)',
      }),
    entries,
    summary: context.meta.rollingSummary,
    windowTokens: fit.windowOf(fit.summaryModel, 'summary'),
    reserveTokens: summaryMaxTokens,
    order: 'window',
    structured: true,
  });
}

// The closing summary is kept even over budget: the record of the session matters more.
export const closingStep = defineStep({ kind: 'closing', run: runClosing, usesModel: false, buildsPrompt: true, stage: () => ({ stage: 'closing' }), describe: (_step, _panel, language) => t(language, 'step.closing') });
