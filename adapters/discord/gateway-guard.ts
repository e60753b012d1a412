/**
 * Gateway payloads that crash discord.js are guarded where they enter it: each dispatch is handed
 * to discord.js inside a try/catch (a throw is logged with the event name and the process goes
 * on), and known malformed fields are repaired first.
 *
 * Known case: a Discord-compatible server sends `application.install_params: null` in READY;
 * discord.js's `ClientApplication._patch` reads `install_params.scopes` whenever the key is
 * present and throws a TypeError out of the WebSocket handler — an uncaught exception that
 * took every session of the process down.
 *
 * Known case: an interaction carrying only `channel_id` — the shape of the slash-command example
 * in Discord's own docs, and what Discord sent before the partial `channel` object was added.
 * discord.js 14.28 reads `interaction.channelId` from `channel.id` alone, so such a command in a
 * server channel looked like a DM. The id is copied into a bare `channel: { id }`: discord.js
 * then patches a cached channel with nothing but its id, or, uncached, creates nothing (no type,
 * no guild) and the adapter fetches the channel over REST.
 *
 * Known case: the same example (and servers modelled on it) has no `entitlements` and no
 * `authorizing_integration_owners`, both required by today's docs; discord.js reads
 * `entitlements.reduce` and `authorizing_integration_owners[…]` unguarded and the interaction
 * never reaches the bot — the person saw "The application did not respond". Missing, they are
 * given their empty forms: no entitlements, owners unknown. Nor has it `application_id`, which
 * discord.js puts in the URL of every reply edit and follow-up (`/webhooks/undefined/…` → 404:
 * the person never saw the answer); the interaction was sent to us, so it is our application's.
 */
import type { Client } from 'discord.js';
import type { Logger } from '../../src/logging/logger.ts';

interface GatewayPacket {
  t?: string | null;
  d?: unknown;
}

type PacketHandler = (packet?: GatewayPacket, shard?: unknown) => boolean;

/** Fills or removes fields discord.js reads unguarded; `applicationId` is ours, known from READY. */
export function repairPacket(packet: GatewayPacket | undefined, applicationId?: string): void {
  if (!packet || typeof packet.d !== 'object' || packet.d === null) return;
  const data = packet.d as Record<string, unknown>;
  const application = data.application as Record<string, unknown> | undefined;
  if (packet.t === 'READY' && application && typeof application === 'object' && application.install_params === null) delete application.install_params;
  if (packet.t === 'INTERACTION_CREATE') {
    if (typeof data.channel_id === 'string' && (typeof data.channel !== 'object' || data.channel === null)) data.channel = { id: data.channel_id };
    if (!Array.isArray(data.entitlements)) data.entitlements = [];
    if (typeof data.application_id !== 'string' && applicationId) data.application_id = applicationId;
    if (typeof data.authorizing_integration_owners !== 'object' || data.authorizing_integration_owners === null) data.authorizing_integration_owners = {};
  }
}

export function guardGatewayPackets(client: Client, logger: Logger): void {
  const manager = client.ws as unknown as { handlePacket?: PacketHandler };
  const original = manager.handlePacket;
  if (typeof original !== 'function') {
    logger.warn('discord: cannot guard gateway packets (discord.js internals changed)');
    return;
  }
  manager.handlePacket = function guardedHandlePacket(this: unknown, packet?: GatewayPacket, shard?: unknown): boolean {
    try {
      repairPacket(packet, client.application?.id);
      return original.call(this, packet, shard);
    } catch (error) {
      logger.error({ err: error, event: packet?.t ?? null }, 'discord: a gateway event could not be handled; ignored it');
      return true;
    }
  };
}
