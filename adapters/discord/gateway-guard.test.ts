import { describe, expect, it } from 'vitest';
import { repairPacket } from './gateway-guard.ts';

describe('repairPacket', () => {
  it('drops a null install_params from READY', () => {
    const packet = { t: 'READY', d: { application: { id: '1', install_params: null } } };
    repairPacket(packet);
    expect(packet.d.application).toEqual({ id: '1' });
  });

  it('gives an interaction that carries only channel_id a bare channel, so discord.js sees its channel', () => {
    const packet = { t: 'INTERACTION_CREATE', d: { id: '9', guild_id: '2', channel_id: '3' } as Record<string, unknown> };
    repairPacket(packet);
    expect(packet.d.channel).toEqual({ id: '3' });
  });

  it('gives an interaction without entitlements or authorizing owners their empty forms', () => {
    const packet = { t: 'INTERACTION_CREATE', d: { id: '9', channel: { id: '3' } } as Record<string, unknown> };
    repairPacket(packet, '77');
    expect(packet.d.entitlements).toEqual([]);
    expect(packet.d.application_id).toBe('77');
    expect(packet.d.authorizing_integration_owners).toEqual({});
  });

  it('leaves an interaction that has its channel object as it is', () => {
    const channel = { id: '3', type: 0, guild_id: '2', name: 'general' };
    const packet = { t: 'INTERACTION_CREATE', d: { id: '9', channel_id: '3', channel } };
    repairPacket(packet);
    expect(packet.d.channel).toBe(channel);
  });
});
