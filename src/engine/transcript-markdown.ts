/**
 * Renders a session's transcript and closing summary as Markdown (pure). Headings and labels are
 * the bot's own words, in the session's language (the catalogs in src/i18n); what people, the
 * panel and the summary model wrote is left as written. Stage names stay their ids in the file.
 */
import type { Panel } from '../panels/panel-schema.ts';
import type { SessionMeta, TranscriptEntry } from '../session/session-types.ts';
import { catalogLanguages, joinList, t } from '../i18n/translate.ts';
import type { ClosingSummary } from './steps/closing-step.ts';

/** `language`: the session's (`meta.language`); English when not given. */
export function renderSummaryMarkdown(summary: ClosingSummary, votedKeywords: string[], language?: string): string {
  const list = (items: string[]) => (items.length ? items.map((item) => `- ${item}`).join('\n') : `- ${t(language, 'summary.none')}`);
  const card = summary.designCard;
  return [
    t(language, 'summary.title'),
    '',
    t(language, 'summary.decisions'),
    list(summary.decisions),
    '',
    t(language, 'summary.votedKeywords', { keywords: votedKeywords.length ? joinList(language, votedKeywords) : t(language, 'summary.noVote') }),
    '',
    t(language, 'summary.openQuestions'),
    list(summary.openQuestions),
    '',
    t(language, 'summary.takeaways'),
    list(summary.takeaways.map((takeaway) => `${takeaway.name}: ${takeaway.takeaway}`)),
    '',
    t(language, 'summary.designCard', { name: card.name }),
    t(language, 'summary.form', { form: card.form }),
    t(language, 'summary.elements', { elements: joinList(language, card.elements) }),
    t(language, 'summary.functions', { functions: joinList(language, card.functions) }),
    t(language, 'summary.targetUsers', { users: card.targetUsers }),
    t(language, 'summary.meaning', { meaning: card.meaning }),
  ].join('\n');
}

/** The summary without its title line, in whichever catalog's language it was written. */
function withoutTitle(summaryMarkdown: string): string {
  for (const language of catalogLanguages) {
    const title = `${t(language, 'summary.title')}\n\n`;
    if (summaryMarkdown.startsWith(title)) return summaryMarkdown.slice(title.length);
  }
  return summaryMarkdown;
}

export function renderTranscriptMarkdown(meta: SessionMeta, panel: Panel, entries: TranscriptEntry[], summaryMarkdown: string): string {
  const { language } = meta;
  const header = [
    t(language, 'transcript.title', { topic: meta.topic }),
    '',
    t(language, 'transcript.session', { sessionId: meta.sessionId }),
    t(language, 'transcript.panel', { panel: panel.name, personas: joinList(language, panel.personas.map((persona) => `${persona.displayName} (${persona.roleTitle})`)) }),
    t(language, 'transcript.startedBy', { name: meta.starter.displayName, time: new Date(meta.createdAt).toISOString() }),
    t(language, 'transcript.tokens', { prompt: meta.tokensPrompt, completion: meta.tokensCompletion, calls: meta.modelCalls }),
    '',
    t(language, 'transcript.summary'),
    '',
    withoutTitle(summaryMarkdown),
    '',
    t(language, 'transcript.transcript'),
    '',
  ];
  const body = entries.map((item) => {
    const time = new Date(item.at).toISOString().slice(11, 19);
    const who =
      item.kind === 'person'
        ? t(language, 'transcript.person', { name: item.speakerName })
        : item.kind === 'moderator'
          ? t(language, 'moderator.name')
          : item.role
            ? t(language, 'transcript.asRole', { name: item.speakerName, role: item.role })
            : item.speakerName;
    return `${t(language, 'transcript.entry', { who, stage: item.stage, round: item.round, time })}\n\n${item.text}\n`;
  });
  return [...header, ...body].join('\n');
}
