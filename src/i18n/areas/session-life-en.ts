/** English words of one area, merged into the English catalog (messages-en.ts); keys as there. */
export const enSessionLife = {
  // How a session ends (src/engine/steps/closing-step.ts): closed for inactivity (src/pipeline/idle-closer.ts) …
  'closing.idle': 'Closed after {duration} without activity. The full transcript is attached. Mention me in the channel to start a new roundtable.',
  // … and a muted panelist's line among the takeaways, after its name.
  'closing.mutedTakeaway': 'was muted, so no takeaway',
} as const;
