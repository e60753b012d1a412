/** Chinese words of one area, merged into the Chinese catalog (messages-zh.ts): the same keys as its English file. */
export const zhProvider = {
  'provider.imageAnswerTooLarge': '图像模型的回复超过了 {size}，所以没有使用。',
  'provider.imageTooLarge': '图像模型发来的图片超过了 {size}，所以没有发布。',
} as const;
