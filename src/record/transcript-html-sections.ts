/**
 * The HTML transcript's summary sections, between the header and the transcript: the decision
 * record (agreed, where the panel split, people vs panel, open questions, next steps, takeaways),
 * the polls with their charts and ballots, the design card, and token use.
 *
 * Every string from the record is escaped here or by `renderInlineMarkdown`; labels come from the
 * catalog in the document's language. Dissent is shown as prominently as agreement: each split
 * lists every position with the panelists who held it and their words. A vote chart's alt text
 * states the numbers, so the chart is never the only place they are.
 */
import { joinList, joinWithAnd, t } from '../i18n/translate.ts';
import type { DecisionRecord, KeywordTally, RecordPoll, SessionRecord } from './session-record.ts';
import { escapeHtml, imageDataUrl } from './html-escape.ts';
import { renderInlineMarkdown } from './light-markdown.ts';
import { formatCost, formatCount, formatDateTime } from './transcript-html-format.ts';
import type { TranscriptAssets } from './transcript-html.ts';

function list(items: readonly string[]): string {
  return `<ul>${items.map((item) => `<li>${renderInlineMarkdown(item)}</li>`).join('')}</ul>`;
}

/** Keyword, people, panel, passed — one row per keyword. */
export function tallyTable(tally: readonly KeywordTally[], language: string): string {
  const rows = tally
    .map(
      (row) =>
        `<tr><td>${escapeHtml(row.keyword)}</td><td class="number">${formatCount(row.people, language)}</td><td class="number">${formatCount(row.panel, language)}</td>` +
        `<td>${row.passed ? `<span class="passed">${escapeHtml(t(language, 'record.votes.passed'))}</span>` : escapeHtml(t(language, 'record.votes.notPassed'))}</td></tr>`,
    )
    .join('');
  const head = `<tr><th>${escapeHtml(t(language, 'record.votes.keyword'))}</th><th class="number">${escapeHtml(t(language, 'record.votes.people'))}</th><th class="number">${escapeHtml(t(language, 'record.votes.panel'))}</th><th>${escapeHtml(t(language, 'record.votes.result'))}</th></tr>`;
  return `<div class="table-scroll"><table><thead>${head}</thead><tbody>${rows}</tbody></table></div>`;
}

function splitsSection(decision: DecisionRecord, language: string): string {
  const heading = `<h3>${escapeHtml(t(language, 'record.decision.splits'))}</h3>`;
  if (decision.splits.length === 0) return `${heading}<p class="muted">${escapeHtml(t(language, 'record.decision.noSplits'))}</p>`;
  const splits = decision.splits.map((split) => {
    const positions = split.positions.map((position) => {
      const heldBy = position.panelists.length > 0 ? `<p class="held-by">${escapeHtml(t(language, 'record.decision.heldBy'))} <strong>${escapeHtml(joinWithAnd(language, position.panelists))}</strong></p>` : '';
      const quote = position.inTheirWords ? `<blockquote>${renderInlineMarkdown(position.inTheirWords)}</blockquote>` : '';
      return `<li class="position"><p class="position-text">${escapeHtml(position.position)}</p>${heldBy}${quote}</li>`;
    });
    return `<section class="card split"><h3>${escapeHtml(split.question)}</h3><ul class="positions">${positions.join('')}</ul></section>`;
  });
  return heading + splits.join('');
}

function decisionSection(decision: DecisionRecord, language: string): string {
  const parts: string[] = [];
  const agreed = decision.agreed.length > 0 ? list(decision.agreed) : `<p class="muted">${escapeHtml(t(language, 'record.decision.noneAgreed'))}</p>`;
  parts.push(`<section class="card agreed"><h3>${escapeHtml(t(language, 'record.decision.agreed'))}</h3>${agreed}</section>`);
  parts.push(splitsSection(decision, language));
  if (decision.votes.length > 0) parts.push(`<h3>${escapeHtml(t(language, 'record.decision.votes'))}</h3>${tallyTable(decision.votes, language)}`);
  if (decision.openQuestions.length > 0) parts.push(`<h3>${escapeHtml(t(language, 'record.decision.openQuestions'))}</h3>${list(decision.openQuestions)}`);
  if (decision.nextSteps.length > 0) {
    const steps = decision.nextSteps.map((step) => {
      const owner = step.owner ? ` <span class="muted">(${escapeHtml(t(language, 'record.decision.owner', { owner: step.owner }))})</span>` : '';
      return `<li>${renderInlineMarkdown(step.step)}${owner}</li>`;
    });
    parts.push(`<h3>${escapeHtml(t(language, 'record.decision.nextSteps'))}</h3><ul>${steps.join('')}</ul>`);
  }
  if (decision.takeaways.length > 0) {
    const takeaways = decision.takeaways.map((takeaway) => `<li><strong>${escapeHtml(takeaway.name)}</strong>: ${renderInlineMarkdown(takeaway.takeaway)}</li>`);
    parts.push(`<h3>${escapeHtml(t(language, 'record.decision.takeaways'))}</h3><ul>${takeaways.join('')}</ul>`);
  }
  return parts.join('');
}

/** The decision record, or a plain statement that the summary was unavailable. */
export function renderDecision(record: SessionRecord, language: string): string {
  const body = record.decision
    ? decisionSection(record.decision, language)
    : `<p class="card unavailable">${escapeHtml(t(language, 'record.decision.unavailable'))}</p>`;
  return `<section id="decision"><h2>${escapeHtml(t(language, 'record.decision.title'))}</h2>${body}</section>`;
}

/** "alpha 12/3, beta 7/5" — people / panel per keyword, for alt text. */
function tallyInWords(tally: readonly KeywordTally[], language: string): string {
  return joinList(language, tally.map((row) => `${row.keyword} ${row.people}/${row.panel}`));
}

/** `tallyShownAbove`: the decision record already has a people-vs-panel table, so a chart needs no table of its own. */
function pollSection(poll: RecordPoll, number: number, assets: TranscriptAssets, tallyShownAbove: boolean, language: string): string {
  const status =
    poll.status === 'open'
      ? t(language, 'record.polls.open')
      : poll.closedAt
        ? t(language, 'record.polls.closed', { time: formatDateTime(poll.closedAt, language) })
        : t(language, 'record.polls.closedNoTime');
  const chartUrl = imageDataUrl(assets.voteCharts, poll.pollId);
  const chart = chartUrl ? `<figure class="chart"><img src="${chartUrl}" alt="${escapeHtml(t(language, 'record.polls.chartAlt', { numbers: tallyInWords(poll.tally, language) }))}"></figure>` : '';
  const table = poll.tally.length > 0 && (!chartUrl || !tallyShownAbove) ? tallyTable(poll.tally, language) : '';
  const winners = poll.winners.length > 0 ? t(language, 'record.polls.winners', { keywords: joinList(language, poll.winners) }) : t(language, 'record.polls.noWinners');
  const ballots = poll.ballots.map((ballot) => {
    const kind = t(language, ballot.voterKind === 'person' ? 'record.polls.voterPerson' : 'record.polls.voterPanelist');
    const reason = ballot.reason ? ` — ${escapeHtml(ballot.reason)}` : '';
    return `<li><strong>${escapeHtml(ballot.voterName)}</strong> <span class="muted">(${escapeHtml(kind)})</span>: ${escapeHtml(joinList(language, ballot.choices))}${reason}</li>`;
  });
  const ballotList = ballots.length > 0 ? `<details><summary>${escapeHtml(t(language, 'record.polls.ballots', { count: ballots.length }))}</summary><ul>${ballots.join('')}</ul></details>` : '';
  return `<section class="poll"><h3>${escapeHtml(t(language, 'record.polls.poll', { number }))}</h3><p class="muted">${escapeHtml(status)}</p>${chart}${table}<p>${escapeHtml(winners)}</p>${ballotList}</section>`;
}

/** Every poll: chart, its table (unless the chart is there and the decision record has the numbers), winners, ballots. '' without polls. */
export function renderPolls(record: SessionRecord, assets: TranscriptAssets, language: string): string {
  if (record.polls.length === 0) return '';
  const tallyShownAbove = (record.decision?.votes.length ?? 0) > 0;
  const polls = record.polls.map((poll, index) => pollSection(poll, index + 1, assets, tallyShownAbove, language));
  return `<section id="polls"><h2>${escapeHtml(t(language, 'record.polls.title'))}</h2>${polls.join('')}</section>`;
}

/** The design card as a definition list; '' when the session has none. */
export function renderDesignCard(record: SessionRecord, language: string): string {
  const card = record.designCard;
  if (!card) return '';
  const row = (label: string, value: string): string => `<dt>${escapeHtml(label)}</dt><dd>${value}</dd>`;
  const items = (values: readonly string[]): string => (values.length > 0 ? `<ul>${values.map((value) => `<li>${escapeHtml(value)}</li>`).join('')}</ul>` : '—');
  const rows = [
    row(t(language, 'record.designCard.form'), escapeHtml(card.form)),
    row(t(language, 'record.designCard.elements'), items(card.elements)),
    row(t(language, 'record.designCard.functions'), items(card.functions)),
    row(t(language, 'record.designCard.targetUsers'), escapeHtml(card.targetUsers)),
    row(t(language, 'record.designCard.meaning'), escapeHtml(card.meaning)),
  ];
  return `<section id="design-card"><h2>${escapeHtml(t(language, 'record.designCard.title'))}</h2><div class="card"><h3>${escapeHtml(card.name)}</h3><dl class="facts">${rows.join('')}</dl></div></section>`;
}

/** Tokens and calls per panelist, the session-wide calls and the total; cost when estimated. */
export function renderUsage(record: SessionRecord, language: string): string {
  const usage = record.usage;
  const lines = [...usage.panelists, usage.other, usage.session];
  const showCost = lines.some((line) => line.estimatedCost !== undefined);
  const columns = (['record.usage.who', 'record.usage.promptTokens', 'record.usage.completionTokens', 'record.usage.calls', 'record.usage.estimatedCost'] as const)
    .slice(0, showCost ? 5 : 4)
    .map((key) => escapeHtml(t(language, key)));
  // `data-label` repeats the column name for the phone layout, where the header is hidden and each row is a card.
  const cell = (column: number, value: string): string => `<td class="number" data-label="${columns[column] ?? ''}">${value}</td>`;
  const row = (name: string, line: (typeof lines)[number], total = false): string =>
    `<tr${total ? ' class="total"' : ''}><td>${escapeHtml(name)}</td>` +
    cell(1, formatCount(line.promptTokens, language)) +
    cell(2, formatCount(line.completionTokens, language)) +
    cell(3, formatCount(line.calls, language)) +
    (showCost ? cell(4, line.estimatedCost === undefined ? '—' : escapeHtml(formatCost(line.estimatedCost, usage.currency, language))) : '') +
    '</tr>';
  const header = columns.map((label, index) => `<th${index > 0 ? ' class="number"' : ''}>${label}</th>`).join('');
  const rows = [
    ...usage.panelists.map((line) => row(line.name, line)),
    row(t(language, 'record.usage.sessionWide'), usage.other),
    row(t(language, 'record.usage.total'), usage.session, true),
  ];
  const images = usage.session.imagesGenerated > 0 ? `<p>${escapeHtml(t(language, 'record.usage.imagesGenerated', { count: usage.session.imagesGenerated }))}</p>` : '';
  const costNote = showCost ? `<p class="note">${escapeHtml(t(language, 'record.usage.costNote'))}</p>` : '';
  return `<section id="usage"><h2>${escapeHtml(t(language, 'record.usage.title'))}</h2><div class="table-scroll"><table class="reflow"><thead><tr>${header}</tr></thead><tbody>${rows.join('')}</tbody></table></div>${images}${costNote}</section>`;
}
