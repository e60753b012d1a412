/** Chinese words of one area, merged into the Chinese catalog (messages-zh.ts): the same keys as its English file. */
export const zhAnswers = {
  'answer.generic': '我们这边出了点问题，请再试一次。',
  'answer.startFailed': '我们这边出了点问题，圆桌没能开始。请再试一次。',
  'answer.voteFailed': '这次投票操作出了点问题，请再试一次。',
} as const;
