/** Lookups and permission checks shared by the route files. */
import { errors } from './http-kit.ts';
import { Permission, type PermissionName } from './permissions.ts';
import type { ChannelRecord, MessageRecord, WebhookRecord } from './emulator-state.ts';
import type { EmulatorContext } from './emulator-context.ts';

export function channelOrThrow(context: EmulatorContext, id: string | undefined): ChannelRecord {
  const channel = id ? context.state.channels.get(id) : undefined;
  if (!channel) throw errors.unknownChannel();
  return channel;
}

export function messageOrThrow(context: EmulatorContext, channelId: string, id: string | undefined): MessageRecord {
  const message = id ? context.state.messages.get(id) : undefined;
  if (!message || message.deleted || message.channelId !== channelId) throw errors.unknownMessage();
  return message;
}

export function webhookOrThrow(context: EmulatorContext, id: string | undefined, token?: string): WebhookRecord {
  const webhook = id ? context.state.webhooks.get(id) : undefined;
  if (!webhook || (token !== undefined && webhook.token !== token)) throw errors.unknownWebhook();
  return webhook;
}

/** The bot user's permissions must include every named permission (plus View Channel). */
export function requireBotPermissions(context: EmulatorContext, channel: ChannelRecord, ...names: PermissionName[]): void {
  const permissions = context.state.permissionsOf(context.state.botUser.id, channel);
  if ((permissions & Permission.ViewChannel) === 0n) throw errors.missingAccess();
  for (const name of names) if ((permissions & Permission[name]) === 0n) throw errors.missingPermissions();
}

/** Posting into an archived thread unarchives it unless locked (then Discord refuses). */
export function ensureWritable(channel: ChannelRecord, context: EmulatorContext): void {
  if (channel.type !== 11 || !channel.archived) return;
  if (channel.locked) throw errors.archivedThread();
  channel.archived = false;
  context.gateway.dispatch('THREAD_UPDATE', { id: channel.id });
}
