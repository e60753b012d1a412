/** English words of one area, merged into the English catalog (messages-en.ts); keys as there. */
export const enProvider = {
  // What a person is told when a model provider's answer is refused before it is used (src/models/generated-images.ts, model-gateway.ts).
  'provider.imageAnswerTooLarge': "The image model's answer was larger than {size}, so I didn't use it.",
  'provider.imageTooLarge': "The image model sent an image larger than {size}, so I didn't post it.",
} as const;
