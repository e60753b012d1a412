/** English words of one area, merged into the English catalog (messages-en.ts); keys as there. */
export const enAsk = {
  // Asking one persona directly: the "Ask" button on persona posts and its dialog (adapters/discord/ask-*.ts, adapters/slack/ask-*.ts).
  'ask.buttonLabel': 'Ask {name}',
  'ask.modalTitle': 'Ask {name}',
  'ask.inputLabel': 'Your question for {name}',
  'ask.inputPlaceholder': '{name} answers it next, before the rest of the panel.',
  'ask.submit': 'Ask',
  'ask.shown': '❓ **{person}** asks **{persona}**: {question}',
  'ask.noSession': 'This button only works in a roundtable thread, and there is no roundtable here.',
  'ask.sessionEnded': 'This roundtable has ended; nobody answers here any more.',
  'ask.personaGone': '{name} is no longer on this panel.',
  'ask.emptyQuestion': 'Write your question first.',
  'ask.busy': 'Too many questions at once; please try again in a moment.',
  'ask.failed': 'Something went wrong with your question; please try again.',
} as const;
