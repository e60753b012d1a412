/**
 * Two gateway processes as two shards of one bot (DISCORD_SHARD_COUNT=2, DISCORD_SHARD_IDS=0 and
 * =1, ROLE=gateway) and one worker, sharing one Redis prefix and queue, against the emulator
 * serving two shards. A guild on each shard: a mention in each opens a session that runs to its
 * introductions, and /status answers in each thread. Each guild's events reach only the gateway of
 * its shard (the emulator's delivery log and the gateways' own discord.js events agree), nothing
 * is delivered or handled twice, and the worker opens no gateway connection at all.
 *
 * Then the same with the gateways as operating-system processes started as an operator would
 * (`adapters/main.ts`, configured by environment variables only).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Events } from 'discord.js';
import { startE2EProcesses, type E2EProcesses } from './e2e-harness.ts';
import { buildSessionId } from '../../src/session/session-id.ts';
import type { ChannelRecord, MessageRecord } from '../discord-emulator/discord-emulator.ts';
import type { GuildRecord } from '../discord-emulator/emulator-state.ts';

const shards = [0, 1] as const;

interface HandledEvent {
  event: 'MESSAGE_CREATE' | 'INTERACTION_CREATE';
  guildId: string | null;
  id: string;
}

describe('Discord end to end: two gateway processes as two shards', () => {
  let e2e: E2EProcesses;
  let guilds: GuildRecord[] = [];
  /** What each gateway process's discord.js client handed to the adapter: event, guild, id. */
  const handled: [HandledEvent[], HandledEvent[]] = [[], []];

  beforeAll(async () => {
    e2e = await startE2EProcesses(
      [
        { ROLE: 'worker' },
        { ROLE: 'gateway', DISCORD_SHARD_COUNT: 2, DISCORD_SHARD_IDS: '0' },
        { ROLE: 'gateway', DISCORD_SHARD_COUNT: 2, DISCORD_SHARD_IDS: '1' },
      ],
      { beforeStart: (emulator) => (guilds = shards.map((shard) => emulator.addGuild(`Guild on shard ${shard}`, { shard: [shard, 2] }))) },
    );
    for (const shard of shards) {
      const { client } = gateway(shard).discord;
      client.on(Events.MessageCreate, (message) => handled[shard].push({ event: 'MESSAGE_CREATE', guildId: message.guildId, id: message.id }));
      client.on(Events.InteractionCreate, (interaction) => handled[shard].push({ event: 'INTERACTION_CREATE', guildId: interaction.guildId, id: interaction.id }));
    }
  });
  afterAll(async () => {
    await e2e?.stop();
  });

  const gateway = (shard: 0 | 1) => {
    const process = e2e.processes[shard + 1];
    if (!process) throw new Error(`no gateway for shard ${shard}`);
    return process;
  };

  it('connects one shard per gateway process, none for the worker, each told only of its guilds', () => {
    const { emulator } = e2e;
    expect(emulator.gatewayConnections.map((connection) => connection.shard)).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(e2e.processes[0]?.discord.client.ws.shards.size).toBe(0);
    for (const shard of shards) {
      const { client } = gateway(shard).discord;
      expect([...client.ws.shards.keys()]).toEqual([shard]);
      expect(client.options.shardCount).toBe(2);
      expect(gateway(shard).discord.isConnected()).toBe(true);
      expect(client.guilds.cache.has(guilds[shard]!.id)).toBe(true);
      expect(client.guilds.cache.has(guilds[1 - shard]!.id)).toBe(false);
    }
  });

  it("runs a session in a guild on each shard, every event taken by its shard's gateway once", async () => {
    const { emulator } = e2e;
    const channels: ChannelRecord[] = guilds.map((guild) => emulator.addTextChannel('general', { guildId: guild.id }));
    const people = guilds.map((guild, shard) => emulator.addMember(`person-${shard}`, { guildId: guild.id }));
    const mentions: MessageRecord[] = channels.map((channel, shard) => emulator.userSendsMessage(channel.id, people[shard]!, `<@${emulator.botUser.id}> A desk lamp for shard ${shard}`));

    const threads = await Promise.all(channels.map((channel) => emulator.waitFor(() => emulator.threadsOf(channel.id)[0], 15_000, `the thread in ${channel.id}`)));
    const personaPosts = (thread: ChannelRecord) => emulator.messagesIn(thread.id).filter((message) => message.webhookUsername !== undefined);
    await Promise.all(threads.map((thread) => emulator.waitFor(() => personaPosts(thread).length >= 2, 30_000, `two introductions in ${thread.name}`)));
    await Promise.all(threads.map((thread, shard) => e2e.settled(buildSessionId({ platform: 'discord', channel: channels[shard]!.id, thread: thread.id }))));
    const statuses = threads.map((thread, shard) => emulator.userRunsCommand(thread.id, people[shard]!, 'status'));
    await Promise.all(statuses.map((status) => emulator.waitFor(() => emulator.interactionMessages(status.id).length > 0, 10_000, `the /status answer ${status.id}`)));

    for (const shard of shards) {
      // The session ran once: one thread opened on the mention, one introduction per persona, one /status answer.
      expect(threads[shard]!.name).toBe(`A desk lamp for shard ${shard}`);
      expect(emulator.threadsOf(channels[shard]!.id)).toHaveLength(1);
      expect(emulator.stats.requests.filter((request) => request.method === 'POST' && request.path === `/channels/${channels[shard]!.id}/messages/${String(mentions[shard]!.json.id)}/threads`)).toHaveLength(1);
      const introductions = personaPosts(threads[shard]!);
      expect(introductions).toHaveLength(2);
      expect(new Set(introductions.map((post) => post.webhookUsername)).size).toBe(2);
      expect(emulator.interaction(statuses[shard]!.id)?.callbacks).toHaveLength(1);

      // The emulator sent this guild's events to this shard's connection only…
      const deliveries = emulator.gatewayDeliveries.filter((delivery) => delivery.guildId === guilds[shard]!.id);
      expect([...new Set(deliveries.map((delivery) => delivery.event))]).toEqual(expect.arrayContaining(['GUILD_CREATE', 'CHANNEL_CREATE', 'MESSAGE_CREATE', 'THREAD_CREATE', 'INTERACTION_CREATE']));
      for (const delivery of deliveries) expect(delivery.shard).toEqual([shard, 2]);
      // …each mention and each command once…
      const deliveriesOf = (event: string, id: string) => emulator.gatewayDeliveries.filter((delivery) => delivery.event === event && delivery.id === id);
      expect(deliveriesOf('MESSAGE_CREATE', String(mentions[shard]!.json.id))).toHaveLength(1);
      expect(deliveriesOf('INTERACTION_CREATE', statuses[shard]!.id)).toHaveLength(1);
      // …and this shard's gateway handled them, and nothing of the other guild.
      const own = handled[shard];
      expect(own.filter((event) => event.id === mentions[shard]!.json.id)).toHaveLength(1);
      expect(own.filter((event) => event.id === statuses[shard]!.id)).toHaveLength(1);
      expect(own.every((event) => event.guildId === guilds[shard]!.id)).toBe(true);
    }
    expect(emulator.rateLimitHits).toBe(0);
  }, 120_000);
});

/** A gateway started as `npm start` would start it, with its JSON log lines (pino writes to stderr). */
interface GatewayChild {
  child: ChildProcess;
  logs: Record<string, unknown>[];
  exited: Promise<number | null>;
}

function startGatewayChild(environment: Record<string, string>): GatewayChild {
  const child = spawn(process.execPath, ['--import', 'tsx', 'adapters/main.ts'], { env: { ...process.env, ...environment }, stdio: ['ignore', 'ignore', 'pipe'] });
  const logs: Record<string, unknown>[] = [];
  let pending = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ msg: line });
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, logs, exited };
}

describe('Discord end to end: two gateway processes started from adapters/main.ts as two shards', () => {
  let e2e: E2EProcesses;
  let guilds: GuildRecord[] = [];
  const gateways: GatewayChild[] = [];

  beforeAll(async () => {
    e2e = await startE2EProcesses([{ ROLE: 'worker' }], { beforeStart: (emulator) => (guilds = shards.map((shard) => emulator.addGuild(`Guild on shard ${shard}`, { shard: [shard, 2] }))) });
    for (const shard of shards) gateways.push(startGatewayChild(e2e.environmentFor({ ROLE: 'gateway', DISCORD_SHARD_COUNT: 2, DISCORD_SHARD_IDS: String(shard), LOG_LEVEL: 'info' })));
    const running = (gateway: GatewayChild) => gateway.logs.some((line) => line.msg === 'TableRound is running');
    await e2e.emulator.waitFor(() => gateways.every(running), 60_000, `both gateway processes running (logs: ${JSON.stringify(gateways.map((gateway) => gateway.logs.slice(-3)))})`);
  }, 90_000);
  afterAll(async () => {
    for (const gateway of gateways) gateway.child.kill('SIGTERM');
    await Promise.all(gateways.map((gateway) => gateway.exited));
    await e2e?.stop();
  }, 60_000);

  it("connects each process to its shard and runs a session in each shard's guild", async () => {
    const { emulator } = e2e;
    expect(emulator.gatewayConnections.map((connection) => connection.shard).sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    for (const shard of shards) {
      const ready = gateways[shard]?.logs.find((line) => line.msg === 'discord: gateway ready');
      expect(ready).toMatchObject({ shards: [shard], shardCount: 2 });
    }
    const channels = guilds.map((guild) => emulator.addTextChannel('general', { guildId: guild.id }));
    const people = guilds.map((guild, shard) => emulator.addMember(`person-${shard}`, { guildId: guild.id }));
    const mentions = channels.map((channel, shard) => emulator.userSendsMessage(channel.id, people[shard]!, `<@${emulator.botUser.id}> A bench for shard ${shard}`));
    const threads = await Promise.all(channels.map((channel) => emulator.waitFor(() => emulator.threadsOf(channel.id)[0], 20_000, `the thread in ${channel.id}`)));
    await Promise.all(threads.map((thread, shard) => e2e.settled(buildSessionId({ platform: 'discord', channel: channels[shard]!.id, thread: thread.id }))));
    for (const shard of shards) {
      expect(emulator.threadsOf(channels[shard]!.id)).toHaveLength(1);
      expect(emulator.messagesIn(threads[shard]!.id).filter((message) => message.webhookUsername !== undefined)).toHaveLength(2);
      const connection = emulator.gatewayConnections.find((candidate) => candidate.shard?.[0] === shard)?.connection;
      const deliveries = emulator.gatewayDeliveries.filter((delivery) => delivery.guildId === guilds[shard]!.id);
      expect(deliveries.length).toBeGreaterThan(0);
      for (const delivery of deliveries) expect(delivery.connection).toBe(connection);
      expect(emulator.gatewayDeliveries.filter((delivery) => delivery.event === 'MESSAGE_CREATE' && delivery.id === mentions[shard]!.json.id)).toHaveLength(1);
    }
  }, 60_000);
});
