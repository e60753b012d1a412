/** English words of one area, merged into the English catalog (messages-en.ts); keys as there. */
export const enAnswers = {
  // An error that carries no sentence meant for a person (src/errors.ts): its internal message is never shown.
  'answer.generic': 'Something went wrong on our side; please try again.',
  // Adapters' own answers when something fails (adapters/discord/*, adapters/slack/*).
  'answer.startFailed': 'Something went wrong on our side; the roundtable could not start. Please try again.',
  'answer.voteFailed': 'Something went wrong with that vote; please try again.',
} as const;
