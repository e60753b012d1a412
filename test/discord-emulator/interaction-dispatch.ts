/**
 * Interactions the emulator's people start (slash commands, button clicks, modal submissions):
 * the interaction is recorded in the world and dispatched as INTERACTION_CREATE over the gateway,
 * shaped as Discord sends it — the full channel or, on request, the documented partial one.
 */
import { randomBytes } from 'node:crypto';
import type { EmulatorContext } from './emulator-context.ts';
import { channelJson, memberJson, type ChannelRecord, type InteractionRecord, type JsonObject, type MessageRecord, type UserRecord } from './emulator-state.ts';
import { nextSnowflake } from './snowflake.ts';

/** How the emulator shapes an interaction it dispatches. */
export interface InteractionDelivery {
  /** Send `channel` as a partial channel without `guild_id` (default: the full channel). */
  partialChannel?: boolean;
}

/** The documented partial channel of an interaction payload: id, name, type, permissions (and parent for threads). */
function partialChannelJson(channel: ChannelRecord, permissions: bigint): JsonObject {
  return { id: channel.id, name: channel.name, type: channel.type, permissions: permissions.toString(), ...(channel.parentId ? { parent_id: channel.parentId } : {}) };
}

/** Records an interaction of `type` (2 command, 3 component, 5 modal submit) by `user` in `channel` and dispatches INTERACTION_CREATE. */
export function dispatchInteraction(
  context: Pick<EmulatorContext, 'state' | 'gateway'>,
  channel: ChannelRecord,
  user: UserRecord,
  type: 2 | 3 | 5,
  data: JsonObject,
  source: MessageRecord | undefined,
  delivery: InteractionDelivery = {},
): InteractionRecord {
  const { state, gateway } = context;
  const member = state.guildOf(channel).members.get(user.id);
  if (!member) throw new Error(`${user.username} is not a member`);
  const interaction: InteractionRecord = {
    id: nextSnowflake(),
    token: `itoken.${randomBytes(24).toString('base64url')}`,
    type,
    channelId: channel.id,
    guildId: channel.guildId,
    userId: user.id,
    createdAt: Date.now(),
    callbacks: [],
    originalMessageId: undefined,
    sourceMessageId: source?.json.id as string | undefined,
    followUpIds: [],
    ephemeral: false,
  };
  state.interactions.set(interaction.id, interaction);
  gateway.dispatch('INTERACTION_CREATE', {
    id: interaction.id,
    application_id: state.applicationId,
    type,
    data,
    guild_id: channel.guildId,
    guild: { id: channel.guildId, locale: 'en-US', features: [] },
    channel_id: channel.id,
    channel: delivery.partialChannel ? partialChannelJson(channel, state.permissionsOf(user.id, channel)) : channelJson(channel),
    member: { ...memberJson(member, user), permissions: state.permissionsOf(user.id, channel).toString() },
    token: interaction.token,
    version: 1,
    app_permissions: state.permissionsOf(state.botUser.id, channel).toString(),
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': channel.guildId },
    context: 0,
    attachment_size_limit: 10 * 1024 * 1024,
    ...(source ? { message: source.json } : {}),
  });
  return interaction;
}
