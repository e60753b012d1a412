/**
 * The reference deployment beyond one machine (docker-compose.cluster.yml), checked without
 * Docker: the file parses as YAML (with its merge keys), every long-running service has a health
 * check, the Discord gateways' shard ids cover 0 … count-1 exactly once under one count, each bot
 * process's environment passes the bot's own configuration rules for its ROLE, the bot's cluster
 * nodes are the Redis services' addresses, and no port but Slack's is published.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configRulesFor, shardIdsFrom } from '../../src/config/config-schema.ts';
import { redisTargetFrom } from '../../src/store/redis-connection.ts';

interface Service {
  image?: string;
  build?: string;
  command?: string | string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  ports?: string[];
  restart?: string;
  networks?: Record<string, { ipv4_address?: string }> | string[];
}

const compose = parse(readFileSync('docker-compose.cluster.yml', 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = Object.entries(compose.services);
const bots = services.filter(([, service]) => service.build === '.');
const redisNodes = services.filter(([, service]) => service.image?.startsWith('redis:') && JSON.stringify(service.command ?? '').includes('--cluster-enabled'));
// What .env would give every process (tokens of both platforms, a model).
const dotEnv = { DISCORD_TOKEN: 'discord-token', DISCORD_APPLICATION_ID: '1', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret', OPENAI_API_KEY: 'sk-test' };

describe('the reference deployment (docker-compose.cluster.yml)', () => {
  it('has three cluster nodes, gateways per shard and for Slack, and workers', () => {
    expect(redisNodes.map(([name]) => name)).toEqual(['redis-1', 'redis-2', 'redis-3']);
    expect(bots.map(([name, service]) => `${name}:${service.environment?.ROLE}`)).toEqual(['discord-shard-0:gateway', 'discord-shard-1:gateway', 'slack-gateway:gateway', 'worker:worker']);
  });

  it('gives every long-running service a health check', () => {
    for (const [name, service] of services) {
      if (service.restart === 'no') continue;
      expect(service.healthcheck?.test.length, name).toBeGreaterThan(0);
    }
  });

  it('splits the guilds between the Discord gateways: one count, every shard id exactly once', () => {
    const discord = bots.filter(([, service]) => service.environment?.DISCORD_SHARD_IDS !== undefined);
    const counts = new Set(discord.map(([, service]) => service.environment!.DISCORD_SHARD_COUNT));
    expect(counts.size).toBe(1);
    const count = Number([...counts][0]);
    const ids = discord.flatMap(([, service]) => shardIdsFrom(service.environment!.DISCORD_SHARD_IDS!)).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: count }, (_, id) => id));
  });

  it('gives every bot process a configuration its ROLE accepts, pointed at the cluster’s nodes', () => {
    const addresses = redisNodes.map(([, service]) => `${Object.values(service.networks as Record<string, { ipv4_address: string }>)[0]!.ipv4_address}:6379`);
    for (const [name, service] of bots) {
      const environment = { ...dotEnv, ...service.environment };
      const parsed = configRulesFor().safeParse(Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== '')));
      expect(parsed.success, `${name}: ${parsed.error?.message ?? ''}`).toBe(true);
      const target = redisTargetFrom(parsed.data!);
      expect(target.kind === 'cluster' && target.nodes.map((node) => `${node.host}:${node.port}`), name).toEqual(addresses);
    }
    const init = compose.services['redis-cluster-init']!;
    expect(JSON.stringify(init.command)).toContain(`--cluster create ${addresses.join(' ')}`);
  });

  it('starts Discord only in the shard gateways and Slack only in its gateway', () => {
    for (const [name, service] of bots) {
      const environment = service.environment ?? {};
      if (name.startsWith('discord-')) expect(environment.SLACK_BOT_TOKEN, name).toBe('');
      if (name === 'slack-gateway') expect(environment.DISCORD_TOKEN, name).toBe('');
    }
  });

  it('publishes no health or metrics port, only Slack’s', () => {
    const published = services.flatMap(([, service]) => service.ports ?? []);
    expect(published).toEqual(['3000:3000']);
  });
});
