/** English words of one area, merged into the English catalog (messages-en.ts); keys as there. */
export const enAsk = {} as const;
