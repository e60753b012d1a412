/** Gateway discovery, the current user and application, application commands, guilds. */
import { channelJson, guildJson, memberJson, userJson, type JsonObject } from './emulator-state.ts';
import { DiscordApiError, ok, type Route } from './http-kit.ts';
import { nextSnowflake } from './snowflake.ts';
import type { EmulatorContext } from './emulator-context.ts';

const id = '(\\d+)';

/**
 * `gatewayBot`: what `GET /gateway/bot` recommends — `shards` (discord.js runs that many with
 * `shards: 'auto'`) and `max_concurrency` (identifies per 5 s bucket) — each 1 unless given.
 */
export function miscRoutes(context: EmulatorContext, gatewayUrl: () => string, gatewayBot: { shards?: number; maxConcurrency?: number } = {}): Route[] {
  const { state } = context;
  const guildOrThrow = (guildId: string | undefined) => {
    const guild = guildId ? state.guilds.get(guildId) : undefined;
    if (!guild) throw new DiscordApiError(404, 10004, 'Unknown Guild');
    return guild;
  };
  const storeCommands = (key: string, body: unknown) => {
    const list = Array.isArray(body) ? (body as JsonObject[]) : [];
    const stored = list.map((command) => ({ id: nextSnowflake(), application_id: state.applicationId, version: nextSnowflake(), type: 1, ...command }));
    state.commands.set(key, stored);
    return ok(stored);
  };
  return [
    { method: 'GET', pattern: /^\/gateway$/, auth: false, handle: () => ok({ url: gatewayUrl() }) },
    {
      method: 'GET',
      pattern: /^\/gateway\/bot$/,
      auth: true,
      handle: () => ok({ url: gatewayUrl(), shards: gatewayBot.shards ?? 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: gatewayBot.maxConcurrency ?? 1 } }),
    },
    {
      // Like the independent Discord-compatible server the bot was run against: the path is not
      // percent-decoded, so discord-api-types 0.38's `Routes.user('@me')` (`/users/%40me`) finds
      // no user and the server fails with 500. Real Discord decodes; the bot must not rely on it.
      method: 'GET',
      pattern: /^\/(users|applications|oauth2\/applications)\/%40me$/i,
      undecoded: true,
      auth: true,
      handle: () => {
        throw new DiscordApiError(500, 0, '500: Internal Server Error');
      },
    },
    { method: 'GET', pattern: /^\/users\/@me$/, auth: true, handle: () => ok(userJson(state.botUser)) },
    {
      method: 'GET',
      pattern: /^\/(oauth2\/)?applications\/@me$/,
      auth: true,
      handle: () => ok({ id: state.applicationId, name: state.botUser.username, icon: null, description: '', bot_public: true, bot_require_code_grant: false, verify_key: '0', flags: 0, bot: userJson(state.botUser) }),
    },
    { method: 'GET', pattern: new RegExp(`^/applications/${id}/commands$`), auth: true, handle: () => ok(state.commands.get('global') ?? []) },
    { method: 'PUT', pattern: new RegExp(`^/applications/${id}/commands$`), auth: true, handle: ({ body }) => storeCommands('global', body.json) },
    {
      method: 'GET',
      pattern: new RegExp(`^/applications/${id}/guilds/${id}/commands$`),
      auth: true,
      handle: ({ params }) => ok(state.commands.get(params[1] ?? '') ?? []),
    },
    {
      method: 'PUT',
      pattern: new RegExp(`^/applications/${id}/guilds/${id}/commands$`),
      auth: true,
      handle: ({ params, body }) => {
        guildOrThrow(params[1]);
        return storeCommands(params[1] ?? '', body.json);
      },
    },
    { method: 'GET', pattern: new RegExp(`^/guilds/${id}$`), auth: true, handle: ({ params }) => ok(guildJson(guildOrThrow(params[0]), state)) },
    {
      method: 'GET',
      pattern: new RegExp(`^/guilds/${id}/channels$`),
      auth: true,
      handle: ({ params }) => ok([...state.channels.values()].filter((channel) => channel.guildId === params[0] && channel.type !== 11).map(channelJson)),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/guilds/${id}/members/${id}$`),
      auth: true,
      handle: ({ params }) => {
        const member = guildOrThrow(params[0]).members.get(params[1] ?? '');
        if (!member) throw new DiscordApiError(404, 10007, 'Unknown Member');
        return ok(memberJson(member, state.users.get(member.userId)));
      },
    },
  ];
}
