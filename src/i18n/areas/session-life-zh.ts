/** Chinese words of one area, merged into the Chinese catalog (messages-zh.ts): the same keys as its English file. */
export const zhSessionLife = {} as const;
