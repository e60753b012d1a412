/**
 * Gateway payloads that crash discord.js are guarded where they enter it: each dispatch is handed
 * to discord.js inside a try/catch (a throw is logged with the event name and the process goes
 * on), and known malformed fields are repaired first.
 *
 * Known case: a Discord-compatible server sends `application.install_params: null` in READY;
 * discord.js's `ClientApplication._patch` reads `install_params.scopes` whenever the key is
 * present and throws a TypeError out of the WebSocket handler — an uncaught exception that
 * took every session of the process down.
 */
import type { Client } from 'discord.js';
import type { Logger } from '../../src/logging/logger.ts';

interface GatewayPacket {
  t?: string | null;
  d?: unknown;
}

type PacketHandler = (packet?: GatewayPacket, shard?: unknown) => boolean;

/** Removes fields that are present but null where discord.js expects an object. */
export function repairPacket(packet: GatewayPacket | undefined): void {
  if (!packet || typeof packet.d !== 'object' || packet.d === null) return;
  const data = packet.d as Record<string, unknown>;
  const application = data.application as Record<string, unknown> | undefined;
  if (packet.t === 'READY' && application && typeof application === 'object' && application.install_params === null) delete application.install_params;
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
      repairPacket(packet);
      return original.call(this, packet, shard);
    } catch (error) {
      logger.error({ err: error, event: packet?.t ?? null }, 'discord: a gateway event could not be handled; ignored it');
      return true;
    }
  };
}
