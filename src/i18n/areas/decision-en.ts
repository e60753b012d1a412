/** English words of one area, merged into the English catalog (messages-en.ts); keys as there. */
export const enDecision = {
  // The decision record at the end (src/engine/decision-markdown.ts, src/engine/steps/closing-step.ts).
  'decision.splits': '**Where the panel split**',
  'decision.splitQuestion': '- _{question}_',
  'decision.position': '  - {position} — {panelists}',
  'decision.positionQuoted': '  - {position} — {panelists}: “{quote}”',
  'decision.votes': '**People’s votes against the panel’s**',
  'decision.voteLine': '- {keyword}: people {people}, panel {panel}{passed}',
  'decision.votePassed': ' ✓',
  'decision.nextSteps': '**Next steps**',
  'decision.stepOwned': '- {step} ({owner})',
  'decision.usage': '**Tokens:** {total} in all ({calls} model calls){cost} — {panelists}',
  'decision.usagePanelist': '{name} {tokens}',
  'decision.cost': ', about {cost}',
  'decision.files': 'The full transcript is attached as Markdown, JSON (the session record) and a web page you can open offline.',
  'decision.recordDescription': 'Session record (JSON, schema tableround.session-record v1)',
  'decision.pageDescription': 'Transcript as a web page (opens offline)',
} as const;
