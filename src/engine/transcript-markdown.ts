/** Renders a session's transcript and closing summary as Markdown (pure). */
import type { Panel } from '../panels/panel-schema.ts';
import type { SessionMeta, TranscriptEntry } from '../session/session-types.ts';
import type { ClosingSummary } from './steps/closing-step.ts';

export function renderSummaryMarkdown(summary: ClosingSummary, votedKeywords: string[]): string {
  const list = (items: string[]) => (items.length ? items.map((item) => `- ${item}`).join('\n') : '- (none)');
  const card = summary.designCard;
  return [
    '**Closing summary**',
    '',
    '**Decisions**',
    list(summary.decisions),
    '',
    `**Voted keywords:** ${votedKeywords.length ? votedKeywords.join(', ') : '(no vote passed)'}`,
    '',
    '**Open questions**',
    list(summary.openQuestions),
    '',
    '**Takeaways**',
    list(summary.takeaways.map((takeaway) => `${takeaway.name}: ${takeaway.takeaway}`)),
    '',
    `**Design card — ${card.name}**`,
    `- Form: ${card.form}`,
    `- Key elements: ${card.elements.join(', ')}`,
    `- Functions: ${card.functions.join(', ')}`,
    `- Target users: ${card.targetUsers}`,
    `- Meaning: ${card.meaning}`,
  ].join('\n');
}

export function renderTranscriptMarkdown(meta: SessionMeta, panel: Panel, entries: TranscriptEntry[], summaryMarkdown: string): string {
  const header = [
    `# Roundtable: ${meta.topic}`,
    '',
    `- Session: \`${meta.sessionId}\``,
    `- Panel: ${panel.name} — ${panel.personas.map((persona) => `${persona.displayName} (${persona.roleTitle})`).join(', ')}`,
    `- Started by: ${meta.starter.displayName}, ${new Date(meta.createdAt).toISOString()}`,
    `- Tokens: ${meta.tokensPrompt} in, ${meta.tokensCompletion} out, ${meta.modelCalls} model calls`,
    '',
    '## Summary',
    '',
    summaryMarkdown.replace(/^\*\*Closing summary\*\*\n\n/, ''),
    '',
    '## Transcript',
    '',
  ];
  const body = entries.map((item) => {
    const time = new Date(item.at).toISOString().slice(11, 19);
    const who = item.kind === 'person' ? `${item.speakerName} (person)` : item.kind === 'moderator' ? 'Moderator' : `${item.speakerName}${item.role ? ` (as ${item.role})` : ''}`;
    return `**${who}** · ${item.stage} · round ${item.round} · ${time}\n\n${item.text}\n`;
  });
  return [...header, ...body].join('\n');
}
