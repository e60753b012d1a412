/** Chinese words of one area, merged into the Chinese catalog (messages-zh.ts): the same keys as its English file. */
export const zhSessionLife = {
  'closing.idle': '本场圆桌已闲置{duration}，现已自动结束。完整记录见附件。在频道里提到我，即可开始新的圆桌。',
  'closing.mutedTakeaway': '已被静音，没有收获总结',
} as const;
