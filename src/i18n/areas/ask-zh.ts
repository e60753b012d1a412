/** Chinese words of one area, merged into the Chinese catalog (messages-zh.ts): the same keys as its English file. */
export const zhAsk = {
  'ask.buttonLabel': '向 {name} 提问',
  'ask.modalTitle': '向 {name} 提问',
  'ask.inputLabel': '你想问 {name} 的问题',
  'ask.inputPlaceholder': '{name} 会先于其他嘉宾回答你。',
  'ask.submit': '提问',
  'ask.shown': '❓ **{person}** 向 **{persona}** 提问：{question}',
  'ask.noSession': '这个按钮只在圆桌讨论串里有效，而这里没有圆桌。',
  'ask.sessionEnded': '这场圆桌已经结束，这里不会再有人回答了。',
  'ask.personaGone': '{name} 已不在本次圆桌的嘉宾之中。',
  'ask.emptyQuestion': '请先写下你的问题。',
  'ask.busy': '同时提问的人太多了，请稍后再试。',
  'ask.failed': '提问时出了点问题，请再试一次。',
} as const;
