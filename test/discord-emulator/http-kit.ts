/** Request parsing (JSON or multipart like discord.js sends), errors and routes of the REST emulator. */
import type { IncomingMessage } from 'node:http';
import type { JsonObject } from './emulator-state.ts';

export class DiscordApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: JsonObject,
  ) {
    super(message);
  }
}

export const errors = {
  unauthorized: () => new DiscordApiError(401, 0, '401: Unauthorized'),
  missingPermissions: () => new DiscordApiError(403, 50013, 'Missing Permissions'),
  missingAccess: () => new DiscordApiError(403, 50001, 'Missing Access'),
  unknownChannel: () => new DiscordApiError(404, 10003, 'Unknown Channel'),
  unknownMessage: () => new DiscordApiError(404, 10008, 'Unknown Message'),
  unknownWebhook: () => new DiscordApiError(404, 10015, 'Unknown Webhook'),
  unknownInteraction: () => new DiscordApiError(404, 10062, 'Unknown interaction'),
  alreadyAcknowledged: () => new DiscordApiError(400, 40060, 'Interaction has already been acknowledged.'),
  maxWebhooks: () => new DiscordApiError(400, 30007, 'Maximum number of webhooks reached (15)'),
  archivedThread: () => new DiscordApiError(400, 50083, 'Thread is archived'),
  threadExists: () => new DiscordApiError(400, 160004, 'A thread has already been created for this message'),
  invalidForm: (field: string, message: string) =>
    new DiscordApiError(400, 50035, 'Invalid Form Body', { [field]: { _errors: [{ code: 'BASE_TYPE_INVALID', message }] } }),
};

export interface UploadedFile {
  index: number;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

export interface ParsedBody {
  json: JsonObject;
  files: UploadedFile[];
}

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Parses `application/json` or `multipart/form-data` (`payload_json` + `files[n]`). */
export async function parseBody(contentType: string | undefined, raw: Buffer): Promise<ParsedBody> {
  if (raw.length === 0) return { json: {}, files: [] };
  if (contentType?.startsWith('multipart/form-data')) {
    const form = await new Request('http://emulator.invalid/', { method: 'POST', headers: { 'content-type': contentType }, body: raw }).formData();
    let json: JsonObject = {};
    const files: UploadedFile[] = [];
    for (const [name, value] of form.entries()) {
      if (name === 'payload_json' && typeof value === 'string') {
        json = JSON.parse(value) as JsonObject;
      } else if (typeof value !== 'string') {
        const match = /^files\[(\d+)\]$/.exec(name) ?? /^file(\d*)$/.exec(name);
        const index = match?.[1] ? Number(match[1]) : files.length;
        files.push({ index, filename: value.name, contentType: value.type || 'application/octet-stream', bytes: Buffer.from(await value.arrayBuffer()) });
      }
    }
    return { json, files };
  }
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    return { json: parsed && typeof parsed === 'object' ? (parsed as JsonObject) : {}, files: [] };
  } catch {
    throw new DiscordApiError(400, 50109, 'The request body contains invalid JSON.');
  }
}

export interface RouteRequest {
  method: string;
  params: string[];
  query: URLSearchParams;
  body: ParsedBody;
  /** The bot token's user id when `Authorization: Bot <token>` was valid. */
  authenticated: boolean;
}

export interface RouteResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RateLimitPlan {
  /** Route bucket, answered with headers. */
  bucket?: { key: string; limit: number; windowMs: number };
  /** Hidden shared bucket, only visible through a 429 with scope `shared`. */
  shared?: { key: string; limit: number; windowMs: number };
}

export interface Route {
  method: string;
  /** Matched against the percent-decoded path, unless `undecoded`. */
  pattern: RegExp;
  /**
   * Match `pattern` against the path exactly as sent (before percent-decoding), to model
   * Discord-compatible servers that do not decode paths; tried before every decoded route.
   */
  undecoded?: boolean;
  /** Whether the bot token is required (webhook-token and interaction routes don't need it). */
  auth: boolean;
  rateLimit?: (request: RouteRequest) => RateLimitPlan | undefined;
  handle: (request: RouteRequest) => Promise<RouteResponse> | RouteResponse;
}

export const ok = (body: unknown, status = 200): RouteResponse => ({ status, body });
export const noContent = (): RouteResponse => ({ status: 204 });

export function stringField(json: JsonObject, name: string): string | undefined {
  const value = json[name];
  return typeof value === 'string' ? value : undefined;
}
