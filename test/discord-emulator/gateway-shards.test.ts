/**
 * The emulator's gateway with two shards, driven by two raw discord.js clients as two gateway
 * processes would run them (`shards: [id], shardCount: 2`): each is told only of its own
 * guilds, receives only their events, DMs go to shard 0, and an impossible shard is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Client, Events, GatewayIntentBits, type Interaction, type Message } from 'discord.js';
import { DiscordEmulator } from './discord-emulator.ts';
import type { GuildRecord } from './emulator-state.ts';

function shardClient(emulator: DiscordEmulator, shardId: number): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    rest: { api: emulator.apiUrl, cdn: emulator.cdnUrl },
    shards: [shardId],
    shardCount: 2,
  });
}

describe('Discord emulator gateway shards', () => {
  let emulator: DiscordEmulator;
  let guilds: [GuildRecord, GuildRecord];
  let clients: [Client, Client];
  const received: [string[], string[]] = [[], []];

  beforeAll(async () => {
    emulator = await DiscordEmulator.start();
    guilds = [emulator.addGuild('On shard 0', { shard: [0, 2] }), emulator.addGuild('On shard 1', { shard: [1, 2] })];
    clients = [shardClient(emulator, 0), shardClient(emulator, 1)];
    for (const [index, client] of clients.entries()) {
      client.on(Events.MessageCreate, (message: Message) => received[index]?.push(message.id));
      client.on(Events.InteractionCreate, (interaction: Interaction) => received[index]?.push(interaction.id));
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      await client.login(emulator.token);
      await ready;
    }
  });

  afterAll(async () => {
    for (const client of clients ?? []) await client.destroy();
    await emulator?.close();
  });

  it('tells each shard of its own guilds only', () => {
    // The default guild's id falls on either shard.
    const shardOfDefault = Number((BigInt(emulator.guildId) >> 22n) % 2n);
    for (const [index, client] of clients.entries()) {
      const expected = [guilds[index]!.id, ...(shardOfDefault === index ? [emulator.guildId] : [])].sort();
      expect([...client.guilds.cache.keys()].sort()).toEqual(expected);
    }
    expect(emulator.gatewayConnections.map((connection) => connection.shard)).toEqual([
      [0, 2],
      [1, 2],
    ]);
  });

  it("routes messages and interactions to their guild's shard only", async () => {
    const channels = guilds.map((guild) => emulator.addTextChannel(`general-${guild.name}`, { guildId: guild.id }));
    const people = guilds.map((guild) => emulator.addMember(`person-${guild.id}`, { guildId: guild.id }));
    const messages = channels.map((channel, index) => emulator.userSendsMessage(channel.id, people[index]!, `hello from ${channel.name}`));
    const commands = channels.map((channel, index) => emulator.userRunsCommand(channel.id, people[index]!, 'status'));
    for (const index of [0, 1] as const) {
      const own = [messages[index]!.json.id as string, commands[index]!.id];
      await emulator.waitFor(() => own.every((id) => received[index].includes(id)), 5_000, `shard ${index}'s events`);
    }
    // Give a wrongly routed event time to arrive before asserting it did not.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received[0]).not.toContain(messages[1]!.json.id);
    expect(received[0]).not.toContain(commands[1]!.id);
    expect(received[1]).not.toContain(messages[0]!.json.id);
    expect(received[1]).not.toContain(commands[0]!.id);
    expect(commands[1]!.guildId).toBe(guilds[1].id);
    for (const delivery of emulator.gatewayDeliveries.filter((entry) => entry.guildId === guilds[1].id)) expect(delivery.shard).toEqual([1, 2]);
  });

  it('sends a DM (no guild) to shard 0 only', async () => {
    const dm = { id: '1234567890123', channel_id: '99999', author: { id: emulator.owner.id, username: 'owner', discriminator: '0', avatar: null }, content: 'hi', type: 0, attachments: [], embeds: [], mentions: [], mention_roles: [], pinned: false, mention_everyone: false, tts: false, timestamp: new Date().toISOString(), edited_timestamp: null, flags: 0, components: [] };
    emulator.dispatchRaw('MESSAGE_CREATE', dm);
    const deliveries = () => emulator.gatewayDeliveries.filter((entry) => entry.id === dm.id);
    await emulator.waitFor(() => deliveries().length > 0, 2_000, 'the DM delivered');
    expect(deliveries().map((entry) => entry.shard)).toEqual([[0, 2]]);
  });

  it('closes an IDENTIFY whose shard id is not below its count with 4010', async () => {
    const socket = new WebSocket(emulator.gatewayUrl);
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await new Promise((resolve) => socket.once('message', resolve));
    socket.send(JSON.stringify({ op: 2, d: { token: emulator.token, intents: 0, properties: {}, shard: [2, 2] } }));
    expect(await closed).toBe(4010);
  });
});
