/**
 * What of an error may reach a log line: an allow-list, never a copy.
 *
 * Hazard this exists for: `pino.stdSerializers.err` copies every enumerable field, and platform
 * SDK errors carry secrets in them — @discordjs/rest errors hold webhook and interaction tokens
 * in `url` (and `majorParameter`) and what we posted in `requestBody`; @slack/web-api errors carry
 * the whole API response (`data`), response `headers` and `body`, and the transport error
 * (`original`); openai `APIError` carries response `headers` and the `error` body; ioredis errors
 * carry `command.args` (the password of an AUTH, the values of a SET). `serializeError` therefore reads only the named fields below, scrubs every
 * string it emits, and follows `cause` so the root cause (HTTP status, provider code) survives.
 *
 * Contract: never throws; never returns a field that is not in {@link SerializedError}; every
 * string in the result has passed through {@link scrubSecrets} or a narrow pattern (`method`,
 * `command`); free text is cut to a fixed length. Scrubbing lives here too (rather than in the
 * logger) because the serializer needs it and the logger needs the serializer.
 */

/** The one replacement text for anything removed from a log line. */
export const redactedText = '[redacted]';

/** Causes (and AggregateError members) deeper than this are replaced by a note. */
export const maximumCauseDepth = 5;

/** At most this many members of an AggregateError are serialized; the rest are counted. */
export const maximumAggregatedErrors = 5;

/** Length caps (characters) of emitted strings: messages may quote whole provider bodies. */
const maximumMessageLength = 1_000;
const maximumStackLength = 8_000;
const maximumShortTextLength = 500;
const maximumCodeLength = 100;

/** The only shape an error takes in a log line. */
export interface SerializedError {
  /** Constructor name, or `name` when the constructor is generic (`Error`, `DOMException`). */
  type: string;
  /** Scrubbed, at most 1,000 characters. */
  message: string;
  /** TableRoundError code, Discord JSON code, Slack code (or `data.error`), Node errno code, provider code/type. */
  code?: string | number;
  /** HTTP status of the failed request. */
  status?: number;
  /** HTTP method of the failed request, upper case. */
  method?: string;
  /** URL of the failed request: no credentials, token-shaped path segments and every query value replaced. */
  url?: string;
  /** Redis command name only (`auth`, `set`); its arguments never. */
  command?: string;
  /** As the library reports it: seconds for Slack, milliseconds for discord.js. */
  retryAfter?: number;
  /** Scrubbed, at most 8,000 characters. */
  stack?: string;
  /** `cause`, or `original` when there is none (Bolt errors), serialized the same way. */
  cause?: SerializedError | string;
  /** Members of an AggregateError (or Bolt's `originals`), at most {@link maximumAggregatedErrors} then a count. */
  errors?: (SerializedError | string)[];
}

/** Constructors whose name says less than the error's own `name`. */
const genericConstructorNames = new Set(['Error', 'Object', 'DOMException']);

/**
 * Serializes anything thrown into the allow-listed {@link SerializedError}; values that are not
 * error-like (strings, numbers, plain objects without a `message`) become a short scrubbed string.
 * `depth` counts causes already followed; callers pass nothing.
 */
export function serializeError(error: unknown, depth = 0): SerializedError | string {
  try {
    return serializeAtDepth(error, depth, new WeakSet<object>());
  } catch {
    return '[error could not be serialized]';
  }
}

function serializeAtDepth(error: unknown, depth: number, seen: WeakSet<object>): SerializedError | string {
  if (depth > maximumCauseDepth) return `[cause chain deeper than ${maximumCauseDepth} levels omitted]`;
  if (!isErrorLike(error)) return describeNonError(error);
  if (seen.has(error)) return '[circular cause]';
  seen.add(error);

  const serialized: SerializedError = { type: typeName(error), message: shortText(String(error.message), maximumMessageLength) };
  const code = codeOf(error);
  if (code !== undefined) serialized.code = code;
  const status = statusOf(error);
  if (status !== undefined) serialized.status = status;
  const method = methodOf(error);
  if (method !== undefined) serialized.method = method;
  const url = firstString(readProperty(error, 'url'), readPath(error, 'config', 'url'), readPath(error, 'response', 'url'));
  if (url !== undefined) serialized.url = shortText(scrubRequestUrl(url), maximumShortTextLength);
  const command = readPath(error, 'command', 'name');
  if (typeof command === 'string' && /^[A-Za-z][\w.|-]{0,63}$/.test(command)) serialized.command = command;
  const retryAfter = readProperty(error, 'retryAfter');
  if (typeof retryAfter === 'number' && Number.isFinite(retryAfter)) serialized.retryAfter = retryAfter;
  const stack = readProperty(error, 'stack');
  if (typeof stack === 'string') serialized.stack = shortText(stack, maximumStackLength);

  // Bolt keeps the underlying error in `original` (several in `originals`) instead of `cause`.
  const cause = readProperty(error, 'cause') ?? readProperty(error, 'original');
  if (cause !== undefined) serialized.cause = serializeAtDepth(cause, depth + 1, seen);
  const members = readProperty(error, 'errors') ?? readProperty(error, 'originals');
  if (Array.isArray(members) && members.length > 0) {
    const shown: (SerializedError | string)[] = members.slice(0, maximumAggregatedErrors).map((member: unknown) => serializeAtDepth(member, depth + 1, seen));
    if (members.length > maximumAggregatedErrors) shown.push(`…and ${members.length - maximumAggregatedErrors} more`);
    serialized.errors = shown;
  }
  return serialized;
}

type ErrorLike = object & { message: unknown };

/** An `Error`, or an object that quacks like one (thrown across realms, or by hand). */
function isErrorLike(value: unknown): value is ErrorLike {
  if (value instanceof Error) return true;
  if (typeof value !== 'object' || value === null) return false;
  return typeof readProperty(value, 'message') === 'string' && (typeof readProperty(value, 'stack') === 'string' || typeof readProperty(value, 'name') === 'string');
}

function typeName(error: object): string {
  const constructorName = readPath(error, 'constructor', 'name');
  const name = readProperty(error, 'name');
  const chosen =
    typeof constructorName === 'string' && constructorName !== '' && !genericConstructorNames.has(constructorName)
      ? constructorName
      : typeof name === 'string' && name !== ''
        ? name
        : typeof constructorName === 'string' && constructorName !== ''
          ? constructorName
          : 'Error';
  return shortText(chosen, maximumCodeLength);
}

/** Own `code` first (string or number); then Slack's `data.error`; then a provider's `type` (openai). */
function codeOf(error: object): string | number | undefined {
  for (const candidate of [readProperty(error, 'code'), readPath(error, 'data', 'error'), readProperty(error, 'type')]) {
    if (typeof candidate === 'number' && Number.isFinite(candidate)) return candidate;
    if (typeof candidate === 'string' && candidate !== '') return shortText(candidate, maximumCodeLength);
  }
  return undefined;
}

function statusOf(error: object): number | undefined {
  for (const candidate of [readProperty(error, 'status'), readProperty(error, 'statusCode'), readPath(error, 'data', 'statusCode'), readPath(error, 'response', 'status')]) {
    if (typeof candidate === 'number' && Number.isInteger(candidate)) return candidate;
  }
  return undefined;
}

function methodOf(error: object): string | undefined {
  const method = firstString(readProperty(error, 'method'), readPath(error, 'config', 'method'));
  return method !== undefined && /^[A-Za-z]{3,10}$/.test(method) ? method.toUpperCase() : undefined;
}

/** Strings are scrubbed and cut; other values are named, never dumped (a plain object may be a request body). */
function describeNonError(value: unknown): string {
  if (typeof value === 'string') return shortText(value, maximumShortTextLength);
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'symbol') return shortText(value.toString(), maximumShortTextLength);
  if (typeof value === 'function') return shortText(`[function ${value.name || 'anonymous'}]`, maximumShortTextLength);
  if (Array.isArray(value)) return `[array of ${value.length}]`;
  const constructorName = readPath(value, 'constructor', 'name');
  const keys = Object.keys(value).slice(0, 10).join(', ');
  return shortText(`[${typeof constructorName === 'string' && constructorName !== '' ? constructorName : 'object'} with keys: ${keys || 'none'}]`, maximumShortTextLength);
}

/** Scrubs, then cuts to `maximumLength` characters. */
function shortText(text: string, maximumLength: number): string {
  const scrubbed = scrubSecrets(text);
  return scrubbed.length <= maximumLength ? scrubbed : `${scrubbed.slice(0, maximumLength)}…`;
}

function firstString(...candidates: unknown[]): string | undefined {
  return candidates.find((candidate): candidate is string => typeof candidate === 'string' && candidate !== '');
}

/** A property read that survives throwing getters and proxies. */
function readProperty(value: unknown, key: string): unknown {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function readPath(value: unknown, first: string, second: string): unknown {
  return readProperty(readProperty(value, first), second);
}

// ---------------------------------------------------------------------------------------------
// Scrubbing free text and URLs

/**
 * Token shapes scrubbed wherever they appear. Each entry is one idea; the replacement keeps the
 * label that tells an operator what was there.
 */
const tokenPatterns: { pattern: RegExp; replace: (match: string, ...groups: string[]) => string }[] = [
  // OpenAI-style, Slack bot/user/app-level tokens.
  { pattern: /\b(?:sk|xox[abposre]|xapp)-[A-Za-z0-9_-]{8,}/g, replace: () => redactedText },
  // Google API keys (OpenAI-compatible Gemini endpoints).
  { pattern: /\bAIza[0-9A-Za-z_-]{30,}/g, replace: () => redactedText },
  // Discord bot tokens: base64 user id . timestamp . hmac.
  { pattern: /\b[MNO][A-Za-z\d_-]{23,25}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,}\b/g, replace: () => redactedText },
  // Discord webhook and interaction tokens in a path, with or without a scheme around it.
  { pattern: /\/(webhooks|interactions)\/(\d+)\/[A-Za-z0-9._-]{20,}/g, replace: (_match, kind = '', id = '') => `/${kind}/${id}/${redactedText}` },
  // An Authorization header quoted in text: `authorization: Basic …`, `"Authorization":"Bearer …"`.
  {
    pattern: /\b((?:proxy-)?authorization)(["']?\s*[:=]\s*["']?)(?:(Bearer|Basic|Bot|Token|Digest)\s+)?[^\s"'\\,;]+/gi,
    replace: (_match, header = '', separator = '', scheme) => `${header}${separator}${scheme ? `${scheme} ` : ''}${redactedText}`,
  },
  // A bare `Bearer …` / `Bot …`: the credential needs a digit so that prose ("Bot messages") survives.
  { pattern: /\b(Bearer|Bot)\s+(?=[A-Za-z0-9._~+/=-]*\d)[A-Za-z0-9._~+/=-]{16,}/g, replace: (_match, scheme = '') => `${scheme} ${redactedText}` },
];

/** Any `scheme://…` up to whitespace, a quote, a backslash or an angle bracket (so a JSON line stays valid). */
const urlPattern = /\b[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s"'<>\\`]+/g;

/** `name=value` in free text or a query string; only names that sound secret are replaced. */
const namedValuePattern = /(^|[^A-Za-z0-9_.-])([A-Za-z0-9_.-]{1,60})=([^\s&#;,"'\\)]+)/g;
const secretNamePattern = /token|secret|pass|pwd|key|sig|auth|credential|session|^code$|^hm$|^se$/i;

/**
 * Removes secrets from free text: token shapes (sk-…, xox…, xapp-…, Discord bot tokens,
 * `/webhooks/{id}/{token}`), Authorization/Bearer/Bot credentials, credentials and token-shaped
 * path segments in URLs of any scheme (see {@link scrubUrl}), and values of secret-sounding
 * `name=value` pairs (`token=`, `api_key=`, `access_token=`, `sig=`, `password=`…).
 *
 * Safe on a serialized JSON log line: no replacement consumes a quote or a backslash.
 * Idempotent: scrubbing scrubbed text changes nothing.
 */
export function scrubSecrets(text: string): string {
  let result = text;
  for (const { pattern, replace } of tokenPatterns) result = result.replace(pattern, replace);
  result = scrubUrl(result);
  return result.replace(namedValuePattern, (match, before: string, name: string) => (secretNamePattern.test(name) ? `${before}${name}=${redactedText}` : match));
}

/**
 * Scrubs every URL found in `text`, whatever its scheme (https, wss, redis, rediss, postgres…):
 * `scheme://user:pass@host` becomes `scheme://[redacted]@host` (a user name alone is replaced
 * too: tokens are often passed as one), token-shaped path segments (Slack incoming-webhook
 * secrets, Discord webhook and interaction tokens) are replaced, and query or fragment values
 * with secret-sounding names (`token`, `key`, `api_key`, `access_token`, `sig`…) are replaced.
 *
 * Hazard: follows WHATWG parsing (credentials end at the last `@` before the first `/`, `?` or
 * `#`); a password with a raw `/`, `?` or `#` (`redis://:pa#ss@host`, `https://user:p?ss@host/`)
 * is still caught, at the price of hiding the host (and what follows up to the `@`) as well.
 */
export function scrubUrl(text: string): string {
  return text.replace(urlPattern, (url) => scrubOneUrl(url, false));
}

/** For the `url` of a failed request: as {@link scrubUrl}, and every query value replaced. */
function scrubRequestUrl(url: string): string {
  return scrubSecrets(scrubOneUrl(url, true));
}

function scrubOneUrl(url: string, replaceEveryQueryValue: boolean): string {
  const schemeEnd = url.indexOf('://') + 3;
  const scheme = url.slice(0, schemeEnd);
  const remainder = withoutCredentials(url.slice(schemeEnd));
  const pathEnd = firstIndexOf(remainder, ['?', '#']);
  const beforeQuery = remainder.slice(0, pathEnd);
  const query = remainder.slice(pathEnd);
  const path = beforeQuery
    .split('/')
    .map((segment, index) => (index > 0 && isTokenShaped(segment) ? redactedText : segment))
    .join('/');
  const scrubbedQuery = query.replace(/([?&#;])([^=&#;]*)=([^&#;]*)/g, (match, separator: string, name: string) =>
    replaceEveryQueryValue || secretNamePattern.test(name) ? `${separator}${name}=${redactedText}` : match,
  );
  return `${scheme}${path}${scrubbedQuery}`;
}

/** `user:pass@host/…` → `[redacted]@host/…`; the authority ends at the first `/`, `?` or `#`. */
function withoutCredentials(afterScheme: string): string {
  const authorityEnd = firstIndexOf(afterScheme, ['/', '?', '#']);
  const authority = afterScheme.slice(0, authorityEnd);
  const at = authority.lastIndexOf('@');
  if (at >= 0) return `${redactedText}${afterScheme.slice(at)}`;
  const credentialsEnd = rawCredentialsEnd(afterScheme, authorityEnd);
  return credentialsEnd === undefined ? afterScheme : `${redactedText}${afterScheme.slice(credentialsEnd)}`;
}

/**
 * Where credentials that hold a raw `/`, `?` or `#` end (the index of their `@`), or undefined.
 * A parser ends the authority at that character, so the `@` comes after it:
 * - an authority with a colon not followed by a port (`:pa` of `redis://:pa#ss@host`, `user:p` of
 *   `https://user:p?ss@host/`) is a password cut short: its `@` is the last one in the URL;
 * - an authority that ends at `?` or `#` and is followed by an `@` before any `/`, `=` or `&`
 *   (`redis://user:12#34@host`: `user:12` passes for host and port) — a query (`?email=a@b`) has
 *   an `=` first and is left alone.
 */
function rawCredentialsEnd(afterScheme: string, authorityEnd: number): number | undefined {
  const authority = afterScheme.slice(0, authorityEnd);
  const looksLikePassword = authority.includes(':') && !/^[^:]+:\d*$/.test(authority);
  const lastAt = afterScheme.lastIndexOf('@');
  if (looksLikePassword && lastAt > authorityEnd) return lastAt;
  const delimiter = afterScheme[authorityEnd];
  if (delimiter !== '?' && delimiter !== '#') return undefined;
  const cutShort = /^[^/=&@]*@/.exec(afterScheme.slice(authorityEnd));
  return cutShort ? authorityEnd + cutShort[0].length - 1 : undefined;
}

function firstIndexOf(text: string, characters: string[]): number {
  let first = text.length;
  for (const character of characters) {
    const index = text.indexOf(character);
    if (index >= 0 && index < first) first = index;
  }
  return first;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A path segment that looks like a credential rather than a route word or an id: 20+ characters
 * of token alphabet, not all digits (Discord ids), not a UUID, and either a digit or mixed case
 * (a 24-letter Slack webhook secret) — but a dotted word needs a digit (`assistant.threads.setStatus`).
 */
function isTokenShaped(segment: string): boolean {
  if (segment.length < 20 || !/^[A-Za-z0-9._~+=-]+$/.test(segment)) return false;
  if (/^\d+$/.test(segment) || uuidPattern.test(segment)) return false;
  const hasDigit = /\d/.test(segment);
  if (segment.includes('.')) return hasDigit && /[A-Za-z]/.test(segment);
  return hasDigit ? /[A-Za-z]/.test(segment) : /[a-z]/.test(segment) && /[A-Z]/.test(segment);
}
