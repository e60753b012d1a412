/**
 * The ref the core keeps for a Discord message (step outbox, poll state): which message, and
 * whether it was sent through the channel's persona webhook (`w:{webhookId}:{messageId}`) or as
 * the bot (`b:{messageId}`). Never the webhook's token: that is looked up when editing.
 */
export type DiscordMessageRef = { via: 'webhook'; webhookId: string; messageId: string } | { via: 'bot'; messageId: string };

export function encodeMessageRef(ref: DiscordMessageRef): string {
  return ref.via === 'webhook' ? `w:${ref.webhookId}:${ref.messageId}` : `b:${ref.messageId}`;
}

/** Decodes a ref; a bare snowflake (refs of earlier versions) is a bot message. */
export function decodeMessageRef(value: string): DiscordMessageRef | undefined {
  const webhook = /^w:(\d{1,25}):(\d{1,25})$/.exec(value);
  if (webhook?.[1] && webhook[2]) return { via: 'webhook', webhookId: webhook[1], messageId: webhook[2] };
  const bot = /^(?:b:)?(\d{1,25})$/.exec(value);
  if (bot?.[1]) return { via: 'bot', messageId: bot[1] };
  return undefined;
}

/** Discord's epoch (2015-01-01) in ms: a snowflake's top bits are ms since then. */
const discordEpoch = 1_420_070_400_000n;

export function snowflakeTime(snowflake: string): number {
  try {
    return Number((BigInt(snowflake) >> 22n) + discordEpoch);
  } catch {
    return 0;
  }
}
