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
 */
import { z } from 'zod';
import { asTableRoundError } from '../../errors.ts';
import { describeForPerson } from '../describe-error.ts';
import { promptLanguage } from '../../prompts/session-language.ts';
import type { StepOf, TranscriptEntry } from '../../session/session-types.ts';
import { joinList, t } from '../../i18n/translate.ts';
import { defineStep } from '../step-kind.ts';
import { earlierPayload, entry, moderator, postOnce, promptFit, recordUsage, savePayload, type StepContext, type StepOutcome } from '../step-context.ts';
import { fitTranscriptPrompt, type TranscriptPrompt } from '../transcript-prompt.ts';
import { renderSummaryMarkdown, renderTranscriptMarkdown } from '../transcript-markdown.ts';
import { runPollClose } from './vote-steps.ts';
import { repairClosingSummary } from '../summary-repair.ts';
import { isUnusableAnswer, outcomeOf, reportOutcome, structuredOutcomes, trackRepairs, type StructuredOutcome } from '../structured-outcome.ts';

export const closingSummarySchema = z.object({
  decisions: z.array(z.string()).max(10),
  openQuestions: z.array(z.string()).max(10),
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
        onUsage: (usage) => recordUsage(context, usage),
        ...(context.signal ? { signal: context.signal } : {}),
      });
      summary = result.value;
      answerOutcome = outcomeOf(result, repair);
      summaryMarkdown = renderSummaryMarkdown(summary, votedKeywords, language);
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
  const filename = `tableround-${context.meta.createdAt}-${context.meta.topic.replace(/[^\p{L}\p{N}]+/gu, '-').slice(0, 40).replace(/^-|-$/g, '') || 'session'}.md`;
  await postOnce(context, 'transcript', moderator, t(language, 'closing.ended', { name: step.by.displayName }), [
    { filename, contentType: 'text/markdown', bytes: Buffer.from(markdown, 'utf8'), description: t(language, 'closing.transcriptDescription') },
  ]);
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

/** The closing-summary prompt over `entries`, fitted to the summary model's window with the summary's cap left free. */
function closingPrompt(context: StepContext, votedKeywords: string[], entries: TranscriptEntry[]): TranscriptPrompt {
  const fit = promptFit(context);
  return fitTranscriptPrompt({
    render: (transcript, summary) =>
      context.deps.templates.render('closing-summary', {
        topic: context.meta.topic,
        language: promptLanguage(context.meta),
        personaNames: context.panel.personas.map((persona) => persona.displayName).join(', '),
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
