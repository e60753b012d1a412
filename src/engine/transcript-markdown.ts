/**
 * Renders a session's transcript and closing summary as Markdown (pure). Headings and labels are
 * the bot's own words, in the session's language (the catalogs in src/i18n); what people, the
 * panel and the summary model wrote is left as written. Stage names stay their ids in the file.
 */
import type { Panel } from '../panels/panel-schema.ts';
import type { SessionMeta, TranscriptEntry } from '../session/session-types.ts';
import { catalogLanguages, joinList, t } from '../i18n/translate.ts';
import type { ClosingSummary } from './steps/closing-step.ts';
import type { KeywordTally, SessionRecord } from '../record/session-record.ts';

/** What the decision record adds to the model's summary: the tally from the ballots, token use. */
export interface DecisionExtras {
  votes?: KeywordTally[];
  usage?: SessionRecord['usage'];
}

/**
 * The closing summary as posted — the decision record: agreed, where the panel split (each
 * position with who held it), the voted keywords and people's votes against the panel's, open
 * questions, next steps, takeaways, the design card, token use. `language`: the session's
 * (`meta.language`); English when not given.
 */
export function renderSummaryMarkdown(summary: ClosingSummary, votedKeywords: string[], language?: string, extras: DecisionExtras = {}): string {
  const list = (items: string[]) => (items.length ? items.map((item) => `- ${item}`).join('\n') : `- ${t(language, 'summary.none')}`);
  const card = summary.designCard;
  const splits = (summary.splits ?? []).flatMap((split) => [
    t(language, 'decision.splitQuestion', { question: split.question }),
    ...split.positions.map((position) =>
      position.inTheirWords
        ? t(language, 'decision.positionQuoted', { position: position.position, panelists: joinList(language, position.panelists), quote: position.inTheirWords })
        : t(language, 'decision.position', { position: position.position, panelists: joinList(language, position.panelists) }),
    ),
  ]);
  const votes = (extras.votes ?? []).filter((row) => row.people + row.panel > 0);
  const nextSteps = (summary.nextSteps ?? []).map((step) => (step.owner ? t(language, 'decision.stepOwned', { step: step.step, owner: step.owner }) : `- ${step.step}`));
  return [
    t(language, 'summary.title'),
    '',
    t(language, 'summary.decisions'),
    list(summary.decisions),
    ...(splits.length ? ['', t(language, 'decision.splits'), ...splits] : []),
    '',
    t(language, 'summary.votedKeywords', { keywords: votedKeywords.length ? joinList(language, votedKeywords) : t(language, 'summary.noVote') }),
    ...(votes.length
      ? [
          t(language, 'decision.votes'),
          ...votes.map((row) => t(language, 'decision.voteLine', { keyword: row.keyword, people: row.people, panel: row.panel, passed: row.passed ? t(language, 'decision.votePassed') : '' })),
        ]
      : []),
    '',
    t(language, 'summary.openQuestions'),
    list(summary.openQuestions),
    ...(nextSteps.length ? ['', t(language, 'decision.nextSteps'), ...nextSteps] : []),
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
    ...(extras.usage ? ['', usageLine(extras.usage, language)] : []),
  ].join('\n');
}

/** "Tokens: 12,345 in all (40 model calls), about $0.02 — Ada 3,001 · Lin 2,950". */
function usageLine(usage: SessionRecord['usage'], language: string | undefined): string {
  const number = (value: number) => formatNumber(value, language);
  const cost =
    usage.session.estimatedCost !== undefined && usage.currency ? t(language, 'decision.cost', { cost: formatCost(usage.session.estimatedCost, usage.currency, language) }) : '';
  const panelists = usage.panelists
    .filter((line) => line.calls > 0)
    .map((line) => t(language, 'decision.usagePanelist', { name: line.name, tokens: number(line.promptTokens + line.completionTokens) }))
    .join(' · ');
  return t(language, 'decision.usage', { total: number(usage.session.promptTokens + usage.session.completionTokens), calls: usage.session.calls, cost, panelists: panelists || t(language, 'summary.none') });
}

function formatNumber(value: number, language: string | undefined): string {
  try {
    return new Intl.NumberFormat(language || 'en').format(value);
  } catch {
    return new Intl.NumberFormat('en').format(value);
  }
}

/** A cost in its currency, with enough digits for fractions of a cent. */
export function formatCost(value: number, currency: string, language: string | undefined): string {
  const options: Intl.NumberFormatOptions = { style: 'currency', currency, maximumSignificantDigits: 3 };
  try {
    return new Intl.NumberFormat(language || 'en', options).format(value);
  } catch {
    return new Intl.NumberFormat('en', options).format(value);
  }
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
