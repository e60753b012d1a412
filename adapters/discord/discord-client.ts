/**
 * The one discord.js Client per process and its REST instance, pointed at the configured API,
 * CDN and (optionally) gateway URLs so the same code runs against Discord and the emulator.
 * Outbound writes use `client.rest` directly (no gateway cache needed), so worker processes
 * that never log in to the gateway can still post.
 */
import { Client, GatewayIntentBits, Partials, RESTEvents, Routes, type REST } from 'discord.js';
import type { Config } from '../../src/config/config-schema.ts';
import type { Logger } from '../../src/logging/logger.ts';
import type { Metrics } from '../../src/observability/metrics.ts';

/** Counts the 429 responses Discord sent us (discord.js waits and retries them itself). */
export class RateLimitCounter {
  private count = 0;

  constructor(rest: REST, logger: Logger, metrics?: Metrics) {
    rest.on(RESTEvents.Response, (request, response) => {
      if (response.status !== 429) return;
      this.count += 1;
      metrics?.platform429s.inc({ platform: 'discord' });
      logger.warn({ route: request.route, method: request.method, rateLimitHits: this.count }, 'discord answered 429; discord.js will retry after the advertised delay');
    });
  }

  get hits(): number {
    return this.count;
  }
}

export function createDiscordClient(config: Config): Client {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    partials: [Partials.Channel],
    rest: { api: config.DISCORD_API_URL, cdn: config.DISCORD_CDN_URL },
    // Belt and braces: discord.js's own sends mention nobody either.
    allowedMentions: { parse: [] },
  });
  if (config.DISCORD_TOKEN) client.rest.setToken(config.DISCORD_TOKEN);
  if (config.DISCORD_GATEWAY_URL) overrideGatewayUrl(client.rest, config.DISCORD_GATEWAY_URL);
  return client;
}

/**
 * discord.js connects to the `url` that `GET /gateway/bot` returns; with DISCORD_GATEWAY_URL set
 * we keep the rest of that answer (shard count, session start limits) and replace the url.
 */
function overrideGatewayUrl(rest: REST, gatewayUrl: string): void {
  const originalGet = rest.get.bind(rest);
  const patched: REST['get'] = async (route, options) => {
    const result = await originalGet(route, options);
    if (route === Routes.gatewayBot() && result && typeof result === 'object') return { ...result, url: gatewayUrl.replace(/\/+$/, '') };
    return result;
  };
  rest.get = patched;
}
