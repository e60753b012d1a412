/**
 * The one configuration schema. Every setting comes from an environment variable (or `.env`),
 * is parsed once at start by `loadConfig`, and every error names the variable. Nothing else in
 * the codebase reads `process.env`.
 */
import { z } from 'zod';

const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value === '' ? undefined : value));
const optionalUrl = optionalString.pipe(z.url().optional());
const integer = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const decimal = (fallback: number, min: number, max: number) => z.coerce.number().min(min).max(max).default(fallback);
const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .optional()
    .transform((value) => (value === undefined || value === '' ? fallback : ['true', '1', 'yes'].includes(value)));
const list = optionalString.transform((value) =>
  value
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : [],
);

/**
 * True when a URL's user name or password holds a raw `#`, `?`, `/` or `@` (`redis://:pa#ss@host`):
 * a URL parser ends the credentials there and connects to the wrong host — and the log scrubber
 * cannot tell where the password ends. Percent-encoded they are fine.
 */
function hasRawDelimiterInCredentials(url: string): boolean {
  const afterScheme = url.slice(url.indexOf('://') + 3);
  const at = afterScheme.lastIndexOf('@');
  if (at < 0) return false;
  return /[#?/@]/.test(afterScheme.slice(0, at));
}

/** A comma-separated list with a default when unset. */
const listOr = (fallback: string[]) => optionalString.transform((value) => (value ? value.split(',').map((item) => item.trim()).filter(Boolean) : fallback));

export const configSchema = z.object({
  // Process
  ROLE: z.enum(['all', 'gateway', 'worker']).default('all'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().default('./data'),
  HTTP_HOST: z.string().default('127.0.0.1'),
  /** Port of the health/metrics/avatar HTTP server; 0 disables it. */
  HTTP_PORT: integer(0, 0, 65535),
  PUBLIC_BASE_URL: optionalUrl,
  SHUTDOWN_GRACE_MS: integer(20_000, 0),

  // Redis and the queue
  /** redis://, rediss:// (TLS), or a Unix socket path (/run/redis/redis.sock). A password's `#`, `?`, `/` and `@` must be percent-encoded. */
  REDIS_URL: optionalString
    .refine((value) => value === undefined || /^rediss?:\/\/[^\s]+$/i.test(value) || value.startsWith('/'), {
      message: 'must be a redis:// or rediss:// URL, or a Unix socket path such as /run/redis/redis.sock',
    })
    .refine((value) => value === undefined || !hasRawDelimiterInCredentials(value), {
      message: 'has a #, ?, / or @ in its user name or password: percent-encode them (# as %23, ? as %3F, / as %2F, @ as %40)',
    }),
  /** How long the bot waits for Redis at start before it gives up with a message naming REDIS_URL. */
  REDIS_CONNECT_TIMEOUT_MS: integer(15_000, 100),
  /**
   * A Redis Cluster instead of REDIS_URL: its nodes as `host:port` or `redis[s]://[user:password@]host:port`,
   * comma-separated (a few are enough; the rest are discovered). Credentials and TLS come from the first.
   */
  REDIS_CLUSTER_NODES: optionalString,
  /** Redis through Sentinel instead of REDIS_URL: the sentinels as `host:port`, comma-separated, and the master's name. */
  REDIS_SENTINELS: optionalString,
  REDIS_SENTINEL_MASTER: z.string().min(1).default('mymaster'),
  /** Credentials of the cluster's nodes or of the master that Sentinel names (a URL carries its own). */
  REDIS_USERNAME: optionalString,
  REDIS_PASSWORD: optionalString,
  /** The sentinels' own password, when they have one. */
  REDIS_SENTINEL_PASSWORD: optionalString,
  /** TLS to the cluster's nodes or to Sentinel's master (rediss:// in REDIS_CLUSTER_NODES sets it too). */
  REDIS_TLS: flag(false),
  /** Prefix of every key; no braces (keys' Redis Cluster hash tags are made by keys.ts). */
  REDIS_KEY_PREFIX: z
    .string()
    .min(1)
    .max(40)
    .regex(/^[^{}\s]+$/, 'must not contain braces or spaces (hash tags are added by the bot)')
    .default('tr'),
  SESSION_TTL_HOURS: decimal(24, 0.01, 24 * 90),
  /**
   * A session idle this long is ended as by /end (summary, transcript, archive) — before its
   * memory's TTL can expire. Unset: 12, or half of SESSION_TTL_HOURS when that is shorter
   * (`idleEndHours`). 0 = never (the memory then expires unsaved).
   */
  IDLE_END_HOURS: z.coerce.number().min(0).max(24 * 90).optional(),
  QUEUE_NAME: z.string().regex(/^[A-Za-z0-9_-]+$/).default('tableround'),
  WORKER_CONCURRENCY: integer(8, 1, 1000),
  /**
   * V8's old-generation growth per major GC, in percent (`--heap-growing-percent`; 0 = V8's own
   * heuristic). V8 lets a busy heap grow to several times its live data before it collects, and
   * keeps those pages: with 1,000 sessions the live heap is ~25 MB but the process sat at ~230 MB.
   * At 50 it stays near 175 MB with the same turn throughput (bench: session-rss, turn-throughput;
   * 20 keeps ~165 MB but costs a fifth of the throughput).
   */
  HEAP_GROWING_PERCENT: integer(50, 0, 1000),
  /** A running step's lock; a worker that dies holding it has its step taken over after this long. */
  WORKER_LOCK_MS: integer(30_000, 500),
  /** How often a worker's sweeper looks for sessions whose pending work has no live job. */
  SWEEPER_INTERVAL_MS: integer(5_000, 100),
  /** First retry delay of a failed step; later retries double it. */
  STEP_RETRY_DELAY_MS: integer(2_000, 0),
  /**
   * A step still running after this long is aborted and, if it has not ended 10 s later (half
   * the deadline, if shorter), its attempt fails (retried, then skipped with a notice): a step that never ends cannot keep its
   * session silent. Above the slowest legitimate step (a closing's summary on a slow local model).
   */
  STEP_DEADLINE_MS: integer(900_000, 1_000),
  /** Revivals of one dead step job before the step is skipped with a notice instead. */
  STEP_MAX_REVIVALS: integer(3, 0, 100),
  /** Model requests per minute across all workers; 0 means no limit. */
  MODEL_RPM: integer(0, 0),

  // Models: one OPENAI_BASE_URL + OPENAI_API_KEY pair serves every role unless a role overrides it.
  OPENAI_BASE_URL: optionalUrl,
  OPENAI_API_KEY: optionalString,
  CHAT_MODEL: z.string().default('gpt-4o-mini'),
  CHAT_BASE_URL: optionalUrl,
  CHAT_API_KEY: optionalString,
  VISION_MODEL: optionalString,
  VISION_BASE_URL: optionalUrl,
  VISION_API_KEY: optionalString,
  SUMMARY_MODEL: optionalString,
  SUMMARY_BASE_URL: optionalUrl,
  SUMMARY_API_KEY: optionalString,
  IMAGE_MODEL: z.string().default('gpt-image-1'),
  IMAGE_BASE_URL: optionalUrl,
  IMAGE_API_KEY: optionalString,
  IMAGE_SIZE: z.string().regex(/^\d+x\d+$/).default('1024x1024'),
  IMAGE_COUNT: integer(2, 1, 10),
  FALLBACK_CHAT_MODEL: optionalString,
  /** Silence allowed between two streamed chunks once the answer has started. */
  MODEL_TIMEOUT_MS: integer(90_000, 1_000),
  /** Wait for the first token (or the response headers): sized for a long prompt on a slow local server. */
  MODEL_FIRST_TOKEN_TIMEOUT_MS: integer(300_000, 1_000),
  /** Context window (tokens) of every model not listed in MODEL_CONTEXT_WINDOWS and not known by name; unset: known names, else 8192. */
  MODEL_CONTEXT_TOKENS: z.coerce.number().int().min(512).optional(),
  /** Per-model context windows, `model=tokens` pairs separated by commas (`llama3.1=8192,qwen2.5:7b=32768`). */
  MODEL_CONTEXT_WINDOWS: z
    .string()
    .regex(/^\s*([^=,\s]+\s*=\s*\d+\s*)(,\s*[^=,\s]+\s*=\s*\d+\s*)*$/, 'expected model=tokens pairs separated by commas')
    .optional(),
  /**
   * Prices per million tokens, for the estimated cost in the session record: `model=prompt/completion`
   * pairs separated by commas (`gpt-4o-mini=0.15/0.6,gpt-4o=2.5/10`), in MODEL_PRICE_CURRENCY.
   * A model not listed has no estimate (and neither does the session's total).
   */
  MODEL_PRICES: z
    .string()
    .regex(/^\s*([^=,\s]+\s*=\s*\d+(\.\d+)?\s*\/\s*\d+(\.\d+)?\s*)(,\s*[^=,\s]+\s*=\s*\d+(\.\d+)?\s*\/\s*\d+(\.\d+)?\s*)*$/, 'expected model=prompt/completion prices per million tokens, separated by commas')
    .optional(),
  MODEL_PRICE_CURRENCY: z.string().regex(/^[A-Z]{3}$/, 'expected a currency code such as USD').default('USD'),
  /** `strict: true` for json_schema structured output: auto = on for api.openai.com, and dropped for an endpoint that refuses it. */
  MODEL_JSON_STRICT: z.enum(['auto', 'true', 'false']).default('auto'),
  MODEL_MAX_RETRIES: integer(3, 0, 10),
  /** How structured (JSON) outputs are requested: json_schema, json_object, or plain prompt. */
  MODEL_JSON_MODE: z.enum(['json_schema', 'json_object', 'prompt']).default('json_schema'),
  /** Completion cap of a call that names none; each step kind derives its own cap from its target length. */
  MODEL_MAX_TOKENS: integer(900, 16),
  /** Consecutive failures of an endpoint that open its circuit, and for how long calls then wait. */
  MODEL_CIRCUIT_THRESHOLD: integer(5, 1),
  MODEL_CIRCUIT_OPEN_MS: integer(30_000, 100),

  // The roundtable
  DEFAULT_PANEL: z.string().default('design-workshop'),
  AUTO_ROUNDS: integer(2, 0, 10),
  MAX_ROUNDS: integer(5, 1, 20),
  CONTEXT_RECENT_TURNS: integer(12, 2, 200),
  /** The language sessions speak when nothing else decides (`auto`: the topic's, then the people's). A code such as `en`, `zh`, `fr`. */
  DEFAULT_LANGUAGE: z.string().regex(/^(auto|[a-z]{2,3}(-[A-Za-z0-9]{2,8})?)$/).default('auto'),
  KEYWORDS_MAX_CANDIDATES: integer(12, 2, 25),
  PERSONA_BALLOT_SIZE: integer(3, 1, 10),
  VOTE_THRESHOLD: decimal(0.6, 0.01, 1),
  TRANSCRIPT_DIR: optionalString,
  /** Folder of panels (one sub-folder per panel, one JSON file per persona). */
  PANELS_DIR: z.string().default('./prompts/panels'),
  /** Folder of session presets (`quick`, `standard`, `deep`: one JSON file each). */
  PRESETS_DIR: z.string().default('./prompts/presets'),
  DEFAULT_PRESET: z.string().regex(/^[a-z0-9-]+$/).default('standard'),
  /** Panels one community (a Discord server, a Slack workspace) may keep besides the built-ins. */
  COMMUNITY_PANELS_MAX: integer(20, 1, 200),
  /** Personas one community panel may seat (2 at least). */
  COMMUNITY_PANEL_PERSONAS_MAX: integer(8, 2, 12),
  /** A Discord role id, or a Slack user group (subteam) id, whose members manage panels and channel settings besides Manage Server / workspace admins and owners. */
  COMMUNITY_MANAGER_ROLE: optionalString,

  // Images
  IMAGE_MAX_BYTES: integer(20 * 1024 * 1024, 1024),
  /** Token-equivalent charged to the session and the person for each generated image. */
  IMAGE_TOKEN_COST: integer(4_000, 0),
  /** Concept images one session may generate (0 = none). */
  SESSION_IMAGE_LIMIT: integer(8, 0, 1_000),
  /** Who may run /imagine: everyone in the thread, the session's starter (and managers), or managers only. */
  IMAGINE_ALLOWED: z.enum(['everyone', 'starter', 'managers']).default('starter'),
  /** Extra hosts generated-image URLs may come from (besides the image endpoint's own host). */
  IMAGE_DOWNLOAD_HOSTS: listOr(['oaidalleapiprodscus.blob.core.windows.net']),
  /** Every download (platform files too) over plain http: local stand-ins only. Off: https only. For a self-hosted image provider use IMAGE_PROVIDER_ALLOW_HTTP. */
  DOWNLOAD_ALLOW_HTTP: flag(false),
  /** Every download (platform files too) from private, loopback and link-local addresses: local stand-ins only. For a self-hosted image provider use IMAGE_PROVIDER_ALLOW_PRIVATE_ADDRESSES. */
  DOWNLOAD_ALLOW_PRIVATE_ADDRESSES: flag(false),
  /** Generated-image URLs over plain http (a self-hosted image provider); Discord and Slack files stay https. */
  IMAGE_PROVIDER_ALLOW_HTTP: flag(false),
  /** Generated-image URLs on private or loopback addresses (a self-hosted image provider); Discord and Slack files stay public. */
  IMAGE_PROVIDER_ALLOW_PRIVATE_ADDRESSES: flag(false),
  IMAGE_MAX_PIXELS: integer(50_000_000, 1_000),
  VISION_BOX: integer(1024, 64, 4096),
  VISION_SHORT_SIDE: integer(768, 64, 4096),
  VISION_MAX_BYTES: integer(1_500_000, 10_000),

  // Budgets and abuse limits (0 = unlimited)
  USER_TOKEN_BUDGET: integer(200_000, 0),
  SESSION_TOKEN_BUDGET: integer(400_000, 0),
  USER_COMMANDS_PER_MINUTE: integer(20, 0),
  MAX_MESSAGE_CHARS: integer(4_000, 100),

  // Discord
  DISCORD_TOKEN: optionalString,
  DISCORD_APPLICATION_ID: optionalString,
  DISCORD_GUILD_ID: optionalString,
  DISCORD_ALLOWED_GUILDS: list,
  DISCORD_ALLOWED_CHANNELS: list,
  DISCORD_API_URL: z.url().default('https://discord.com/api'),
  DISCORD_CDN_URL: z.url().default('https://cdn.discordapp.com'),
  DISCORD_GATEWAY_URL: optionalUrl,
  /**
   * Gateway shards (Discord requires sharding from 2,500 guilds): the total, a number or `auto`
   * (Discord's recommended count). Unset: one shard, as before.
   */
  DISCORD_SHARD_COUNT: optionalString
    .refine((value) => value === undefined || value === 'auto' || (/^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 16_384), { message: 'must be `auto` or a whole number from 1' })
    .transform((value) => (value === undefined || value === 'auto' ? value : Number(value))),
  /**
   * The shards this gateway process runs, as ids and ranges (`0-3,7`); unset: all of them. Several
   * gateway processes, on any machines, each with its own ids and the same DISCORD_SHARD_COUNT,
   * split the guilds between them. Workers ignore it (they post through REST only).
   */
  DISCORD_SHARD_IDS: optionalString.pipe(
    z
      .string()
      .regex(/^\d+(-\d+)?(,\s*\d+(-\d+)?)*$/, 'must be shard ids and ranges, such as 0-3,7')
      .optional(),
  ),
  // Discord pacing, shared by all workers through Redis (platform-limits.md).
  DISCORD_WEBHOOK_WRITES: integer(4, 1),
  DISCORD_WEBHOOK_WINDOW_MS: integer(2_000, 100),
  DISCORD_CHANNEL_WRITES: integer(25, 1),
  DISCORD_CHANNEL_WINDOW_MS: integer(60_000, 100),
  DISCORD_EDIT_INTERVAL_MS: integer(2_000, 50),

  // Slack
  SLACK_BOT_TOKEN: optionalString,
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString,
  SLACK_SOCKET_MODE: flag(false),
  SLACK_API_URL: z.url().default('https://slack.com/api/'),
  SLACK_HOST: z.string().default('0.0.0.0'),
  SLACK_PORT: integer(3000, 0, 65535),
  /**
   * Slack in many workspaces (OAuth): the app's client id and secret, a secret that signs the
   * install's `state`, and the key (32 bytes, base64 or hex) that encrypts installations at rest in
   * Redis. With these set, SLACK_BOT_TOKEN is not needed; the install page is /slack/install.
   */
  SLACK_CLIENT_ID: optionalString,
  SLACK_CLIENT_SECRET: optionalString,
  SLACK_STATE_SECRET: optionalString,
  SLACK_INSTALLATION_KEY: optionalString,
  SLACK_COMMAND: z.string().regex(/^\/[a-z0-9_-]{1,31}$/).default('/roundtable'),
  // Slack pacing, shared by all workers through Redis (platform-limits.md).
  SLACK_POSTS_PER_WINDOW: integer(1, 1),
  SLACK_POST_WINDOW_MS: integer(1_000, 50),
  /** Messages per window across the workspace: chat.postMessage's documented "several hundred messages per minute". */
  SLACK_WORKSPACE_POSTS_PER_WINDOW: integer(280, 1),
  SLACK_WORKSPACE_POST_WINDOW_MS: integer(60_000, 100),
  SLACK_UPDATES_PER_WINDOW: integer(40, 1),
  SLACK_UPDATE_WINDOW_MS: integer(60_000, 100),
  /** Native streams per window per workspace: chat.startStream and chat.stopStream are each Slack Tier 2 (~20 a minute). */
  SLACK_STREAMS_PER_WINDOW: integer(18, 1),
  SLACK_STREAM_WINDOW_MS: integer(60_000, 100),
  /**
   * `conversations.replies` per window per workspace: Tier 3 (50+ a minute). The outbox looks a
   * message up with it after an interrupted post; a margin below the tier, shared by every worker.
   */
  SLACK_REPLIES_PER_WINDOW: integer(45, 1),
  SLACK_REPLIES_WINDOW_MS: integer(60_000, 100),
  /** Use chat.startStream/appendStream/stopStream; off falls back to postMessage + chat.update. */
  SLACK_NATIVE_STREAMING: flag(true),
});

export type Config = z.infer<typeof configSchema>;

/**
 * What the process being configured runs: a ROLE, or `terminal` (`npm run console`: one
 * roundtable here, steps run in-process, no platform and so no avatars to serve — it runs as
 * ROLE=all whatever ROLE says).
 */
export type RunningAs = Config['ROLE'] | 'terminal';

/** Whether this process runs steps (and so uses the idle closer and the vision settings). */
function runsSteps(runningAs: RunningAs): boolean {
  return runningAs !== 'gateway';
}

/** Whether this process serves the avatars PUBLIC_BASE_URL points at (platform posts link to them). */
function servesAvatars(runningAs: RunningAs): boolean {
  return runningAs === 'gateway' || runningAs === 'all';
}

/**
 * Rules across variables, each checked only where it matters: a rule about settings a gateway
 * never uses must not stop a gateway from starting (compose starts gateways and workers from the
 * same `.env`). `runningAs` defaults to the configured ROLE.
 */
export function configRulesFor(runningAs?: RunningAs) {
  return configSchema.superRefine((config, context) => {
    const role = runningAs ?? config.ROLE;
    // Workers only reference PUBLIC_BASE_URL in the posts they make; the terminal posts nowhere it would be shown.
    if (servesAvatars(role) && config.PUBLIC_BASE_URL && config.HTTP_PORT === 0) {
      context.addIssue({ code: 'custom', path: ['PUBLIC_BASE_URL'], message: 'needs HTTP_PORT set: avatars are served by the bot’s HTTP server' });
    }
    const redisTargets = (['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'] as const).filter((name) => config[name] !== undefined);
    if (redisTargets.length > 1) {
      context.addIssue({ code: 'custom', path: [redisTargets[1]!], message: `set one of REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS, not ${redisTargets.join(' and ')}` });
    }
    if (config.DISCORD_SHARD_IDS !== undefined && config.DISCORD_SHARD_COUNT === undefined) {
      context.addIssue({ code: 'custom', path: ['DISCORD_SHARD_IDS'], message: 'needs DISCORD_SHARD_COUNT (the same in every gateway process)' });
    }
    if (typeof config.DISCORD_SHARD_COUNT === 'number' && config.DISCORD_SHARD_IDS !== undefined) {
      const count = config.DISCORD_SHARD_COUNT;
      const tooHigh = shardIdsFrom(config.DISCORD_SHARD_IDS).find((id) => id >= count);
      if (tooHigh !== undefined) context.addIssue({ code: 'custom', path: ['DISCORD_SHARD_IDS'], message: `shard ${tooHigh} is not below DISCORD_SHARD_COUNT (${count}): ids run from 0` });
    }
    const oauth = (['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET', 'SLACK_INSTALLATION_KEY'] as const).filter((name) => config[name] !== undefined);
    if (oauth.length > 0 && oauth.length < 4) {
      const missing = ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET', 'SLACK_INSTALLATION_KEY'].filter((name) => !(oauth as string[]).includes(name));
      context.addIssue({ code: 'custom', path: [missing[0]!], message: `Slack in many workspaces needs ${missing.join(', ')} too (set all four, or none)` });
    }
    if (config.SLACK_INSTALLATION_KEY !== undefined && installationKeyBytes(config.SLACK_INSTALLATION_KEY) === undefined) {
      context.addIssue({ code: 'custom', path: ['SLACK_INSTALLATION_KEY'], message: 'must be 32 bytes, as base64 (44 characters) or hex (64 characters); `openssl rand -base64 32` makes one' });
    }
    if (!runsSteps(role)) return;
    if (config.IDLE_END_HOURS !== undefined && config.IDLE_END_HOURS > 0 && config.IDLE_END_HOURS >= config.SESSION_TTL_HOURS) {
      context.addIssue({ code: 'custom', path: ['IDLE_END_HOURS'], message: `must be below SESSION_TTL_HOURS (${config.SESSION_TTL_HOURS}): an idle session is closed, with its transcript, before its memory expires` });
    }
    if (config.VISION_SHORT_SIDE > config.VISION_BOX) {
      context.addIssue({ code: 'custom', path: ['VISION_SHORT_SIDE'], message: `must not exceed VISION_BOX (${config.VISION_BOX})` });
    }
  });
}

/** Shard ids from DISCORD_SHARD_IDS (`0-3,7` → 0, 1, 2, 3, 7), ascending, without repeats. */
export function shardIdsFrom(text: string): number[] {
  const ids = new Set<number>();
  for (const part of text.split(',')) {
    const [from, to = from] = part.trim().split('-').map(Number) as [number, number?];
    for (let id = from; id <= (to ?? from) && ids.size <= 16_384; id++) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}

/** The 32-byte key of SLACK_INSTALLATION_KEY (base64 or hex), or undefined when it is not one. */
export function installationKeyBytes(text: string): Buffer | undefined {
  const bytes = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : /^[A-Za-z0-9+/]{43}=?$/.test(text) ? Buffer.from(text, 'base64') : undefined;
  return bytes?.length === 32 ? bytes : undefined;
}

/** Whether Slack runs in many workspaces (OAuth installs) rather than with one SLACK_BOT_TOKEN. */
export function slackMultiWorkspace(config: Pick<Config, 'SLACK_CLIENT_ID'>): boolean {
  return config.SLACK_CLIENT_ID !== undefined;
}

/** Hours of inactivity after which a session is closed (0: never): IDLE_END_HOURS, else 12 or half the TTL, whichever is shorter. */
export function idleEndHours(config: Pick<Config, 'IDLE_END_HOURS' | 'SESSION_TTL_HOURS'>): number {
  return config.IDLE_END_HOURS ?? Math.min(12, config.SESSION_TTL_HOURS / 2);
}
