/** Recognising Discord API errors by their JSON error code (discord.js `DiscordAPIError.code`). */
import { DiscordAPIError } from 'discord.js';

export const DiscordErrorCode = {
  UnknownChannel: 10003,
  UnknownMessage: 10008,
  UnknownWebhook: 10015,
  UnknownInteraction: 10062,
  MaximumWebhooks: 30007,
  MissingAccess: 50001,
  MissingPermissions: 50013,
  ArchivedThread: 50083,
  InteractionAcknowledged: 40060,
  ThreadAlreadyCreated: 160004,
} as const;

export function discordErrorCode(error: unknown): number | string | undefined {
  return error instanceof DiscordAPIError ? error.code : undefined;
}

export function isDiscordError(error: unknown, ...codes: number[]): boolean {
  const code = discordErrorCode(error);
  return typeof code === 'number' && codes.includes(code);
}
