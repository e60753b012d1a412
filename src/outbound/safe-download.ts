/**
 * The one way the bot downloads a URL it was handed by someone else: Discord CDN attachments,
 * Slack `url_private` files, image-generation result URLs.
 *
 * The hazard it exists for: an image endpoint that answers `url: http://169.254.169.254/…` made
 * the bot fetch the cloud metadata service and post the answer publicly. So every hop — the first
 * URL and every redirect — is checked against the same {@link DownloadRules} before a byte is sent:
 * scheme, credentials in the URL, host name, and every address the name resolves to.
 *
 * The connection is pinned to the addresses that were checked: the name is resolved once per hop
 * (`node:dns/promises`), the addresses are checked, and `node:http`/`node:https` get a `lookup`
 * that hands back exactly those addresses, so a DNS answer that changes between the check and the
 * connect (DNS rebinding) cannot redirect the socket. TLS still verifies the certificate against
 * the host name. Sockets are never pooled (`agent: false`): a kept-alive socket opened under other
 * rules must not be reused.
 *
 * Residual hazards: `allowPrivateAddresses: true` turns the address check off entirely (for
 * loopback test stand-ins and self-hosted providers only); a DNS lookup cannot be cancelled, so on
 * timeout we stop waiting but the resolver thread runs on; proxy environment variables are ignored
 * (no `HTTP_PROXY` support — a proxy would do its own resolution and defeat the pinning).
 */
import { lookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { request as requestHttp } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { request as requestHttps } from 'node:https';
import { isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import { TableRoundError } from '../errors.ts';
import { sniffImageFormat } from '../images/image-format.ts';
import { isAllowedHost, nonPublicRangeOf, normalizeHostname } from './host-rules.ts';

export interface DownloadRules {
  /** Hosts allowed for this source: exact names ("cdn.discordapp.com") or suffix patterns ("*.slack.com" / ".slack-edge.com"); see `isAllowedHost`. */
  allowedHosts: readonly string[];
  /** Plain http allowed (self-hosted providers, test stand-ins); default false = https only. */
  allowHttp?: boolean;
  /**
   * Allow private / loopback / link-local / ULA / carrier-grade NAT addresses (default false).
   * Needed for loopback test servers and self-hosted providers. When false, a literal IP in those
   * ranges is refused, and so is a host name if ANY of its addresses is in them.
   */
  allowPrivateAddresses?: boolean;
  /**
   * Extra request headers (e.g. Slack's Authorization). Sent only on requests to the origin
   * (scheme, host, port) of the first URL; once a redirect leaves that origin they are dropped for
   * the rest of the chain, even if a later redirect comes back.
   */
  headers?: Record<string, string>;
  /** Byte cap on the body. Refused from the Content-Length before reading, and again while streaming. */
  maxBytes: number;
  /** Deadline in ms for the whole download: every DNS lookup, connect, headers and body, all redirects. */
  timeoutMs: number;
  /** Redirects followed at most (default 3); one more is an error. */
  maxRedirects?: number;
  /** 'image' (default): the bytes must sniff as an image (`sniffImageFormat`) or the download fails. 'any': no sniff. */
  expect?: 'image' | 'any';
  /** Aborts the download (the socket is destroyed); the result is an `image_download_failed` error. */
  signal?: AbortSignal;
}

export interface DownloadResult {
  bytes: Buffer;
  /** The URL the bytes came from, after redirects (query string included; do not log it). */
  finalUrl: string;
  /** The final response's Content-Type, as sent (not trusted: `expect: 'image'` sniffs the bytes). */
  contentType?: string;
}

const DEFAULT_MAX_REDIRECTS = 3;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Bytes enough for `sniffImageFormat` to decide; a non-image is refused once this much has arrived. */
const SNIFF_BYTES = 4096;

type Hop = { kind: 'redirect'; location: string } | { kind: 'body'; bytes: Buffer; contentType: string | undefined };

/** Host, port and path only: no credentials, query string or fragment (signed URLs carry tokens there). */
function describeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** A byte count as a person reads it: "20 MB", "1.5 MB", "64 KB". */
export function formatSize(byteCount: number): string {
  return byteCount >= 1024 * 1024 ? `${Number((byteCount / 1024 / 1024).toFixed(1))} MB` : `${Math.ceil(byteCount / 1024)} KB`;
}

/** Builds the errors of one download; every public message is short and names no host. */
function failures(expect: 'image' | 'any', maxBytes: number) {
  const noun = expect === 'image' ? 'image' : 'file';
  return {
    failed: (detail: string, cause?: unknown) =>
      new TableRoundError('image_download_failed', `Download failed: ${detail}`, { cause, publicMessage: `I couldn't download that ${noun}.` }),
    refused: (detail: string) =>
      new TableRoundError('image_download_failed', `Download refused: ${detail}`, { publicMessage: `I can't download ${noun}s from that address.` }),
    timedOut: (detail: string) =>
      new TableRoundError('image_download_failed', `Download timed out: ${detail}`, { publicMessage: `Downloading that ${noun} took too long.` }),
    tooLarge: (detail: string) =>
      new TableRoundError('image_too_large', `Download too large: ${detail}`, { publicMessage: `That ${noun} is larger than ${formatSize(maxBytes)}, so I skipped it.` }),
  };
}

type Failures = ReturnType<typeof failures>;

/** `undefined` when the bytes are an image; otherwise the error to throw. */
function refuseUnlessImage(bytes: Buffer, where: string): TableRoundError | undefined {
  const sniffed = sniffImageFormat(bytes);
  if (sniffed.kind === 'image') return undefined;
  if (sniffed.kind === 'unsupported') {
    return new TableRoundError('image_unsupported', `Download is ${sniffed.name}, not an image we accept: ${where}`, { publicMessage: `That file is ${sniffed.name}, which I can't use.` });
  }
  const publicMessage = {
    empty: 'That download was empty.',
    // Slack answers a download without the token or the files:read scope with its login page and status 200.
    html: 'That link gave me a web page, not an image.',
    text: 'That link gave me text, not an image.',
    unknown: "That link didn't give me an image I recognise.",
  }[sniffed.looksLike];
  return new TableRoundError('image_not_image', `Download is not an image (looks like ${sniffed.looksLike}): ${where}`, { publicMessage });
}

/** Refuses what can be refused from the URL alone: scheme, credentials, host name, literal IP. */
function checkUrl(url: URL, rules: DownloadRules, fail: Failures): void {
  const where = describeUrl(url);
  const schemeAllowed = url.protocol === 'https:' || (url.protocol === 'http:' && rules.allowHttp === true);
  if (!schemeAllowed) throw fail.refused(`scheme ${url.protocol} not allowed (${url.protocol === 'http:' ? 'allowHttp is off' : 'only https'}): ${url.protocol}//…`);
  if (url.username !== '' || url.password !== '') throw fail.refused(`credentials in the URL: ${where}`);
  if (!isAllowedHost(url.hostname, rules.allowedHosts)) throw fail.refused(`host not in allowedHosts: ${where}`);
  const hostname = normalizeHostname(url.hostname);
  if (isIP(hostname) !== 0 && rules.allowPrivateAddresses !== true) {
    const range = nonPublicRangeOf(hostname);
    if (range) throw fail.refused(`address ${hostname} is ${range}: ${where}`);
  }
}

/** Rejects with the abort reason as soon as `signal` aborts; the raced work itself is not cancelled. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Resolves the host once and checks every address; the result is what the socket will be pinned to. */
async function resolveChecked(url: URL, rules: DownloadRules, signal: AbortSignal, fail: Failures): Promise<LookupAddress[]> {
  const hostname = normalizeHostname(url.hostname);
  const family = isIP(hostname);
  if (family !== 0) return [{ address: hostname, family }];
  let addresses: LookupAddress[];
  try {
    addresses = await raceAbort(lookup(hostname, { all: true }), signal);
  } catch (error) {
    if (signal.aborted) throw error;
    throw fail.failed(`cannot resolve ${hostname}`, error);
  }
  if (addresses.length === 0) throw fail.failed(`no addresses for ${hostname}`);
  if (rules.allowPrivateAddresses !== true) {
    for (const { address } of addresses) {
      const range = nonPublicRangeOf(address);
      // Any one bad address refuses the host: the connection may use any of them.
      if (range) throw fail.refused(`${hostname} resolves to ${address}, ${range}: ${describeUrl(url)}`);
    }
  }
  return addresses;
}

/** A `lookup` for `http.request` that answers with the already-checked addresses and never asks DNS again. */
function pinnedLookup(addresses: readonly LookupAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const first = addresses[0];
    if (options.all) callback(null, [...addresses]);
    else if (first) callback(null, first.address, first.family);
    else callback(Object.assign(new Error('no pinned address'), { code: 'ENOTFOUND' }), []);
  };
}

/** One request/response. Settles exactly once; the socket is destroyed on every path but a complete body. */
function requestOnce(url: URL, addresses: readonly LookupAddress[], headers: Record<string, string>, rules: DownloadRules, signal: AbortSignal, fail: Failures): Promise<Hop> {
  const where = describeUrl(url);
  const checkImage = (rules.expect ?? 'image') === 'image';
  return new Promise<Hop>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      outcome();
    };
    const failWith = (error: unknown) => settle(() => {
      request.destroy();
      reject(error);
    });
    const onAbort = () => failWith(signal.reason);
    const send = url.protocol === 'https:' ? requestHttps : requestHttp;
    const request = send(url, { method: 'GET', headers, lookup: pinnedLookup(addresses), agent: false });
    request.on('error', (error) => failWith(fail.failed(`${error.message}: ${where}`, error)));
    request.once('response', (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      if (REDIRECT_STATUSES.has(status)) {
        const location = response.headers.location;
        if (!location) return failWith(fail.failed(`HTTP ${status} without a Location: ${where}`));
        return settle(() => {
          request.destroy();
          resolve({ kind: 'redirect', location });
        });
      }
      if (status < 200 || status > 299) return failWith(fail.failed(`HTTP ${status}: ${where}`));
      const encoding = response.headers['content-encoding'];
      if (encoding && encoding.toLowerCase() !== 'identity') return failWith(fail.failed(`unrequested Content-Encoding ${encoding}: ${where}`));
      const announced = Number(response.headers['content-length'] ?? Number.NaN);
      if (Number.isFinite(announced) && announced > rules.maxBytes) return failWith(fail.tooLarge(`announced ${announced} bytes > ${rules.maxBytes}: ${where}`));
      const chunks: Buffer[] = [];
      let received = 0;
      let sniffed = !checkImage;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        // The chunk that crosses the cap is dropped, not kept: at most maxBytes are ever buffered.
        if (received > rules.maxBytes) return failWith(fail.tooLarge(`more than ${rules.maxBytes} bytes received: ${where}`));
        chunks.push(chunk);
        if (!sniffed && received >= SNIFF_BYTES) {
          sniffed = true;
          const refusal = refuseUnlessImage(Buffer.concat(chunks), where);
          if (refusal) failWith(refusal);
        }
      });
      response.once('end', () => {
        const bytes = Buffer.concat(chunks, received);
        const refusal = sniffed ? undefined : refuseUnlessImage(bytes, where);
        if (refusal) return failWith(refusal);
        settle(() => resolve({ kind: 'body', bytes, contentType: response.headers['content-type'] }));
      });
      response.on('error', (error) => failWith(fail.failed(`${error.message}: ${where}`, error)));
      response.once('close', () => {
        if (!response.complete) failWith(fail.failed(`connection closed before the body was complete: ${where}`));
      });
    });
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    request.end();
  });
}

/**
 * Downloads `url` under `rules` and returns the bytes. Never follows a redirect, sends a header or
 * opens a socket the rules do not allow; see the file comment for what is checked and pinned.
 *
 * Throws `TableRoundError` only: `image_too_large` (Content-Length or streamed bytes over
 * `maxBytes`), `image_not_image` / `image_unsupported` (sniff failed, `expect: 'image'`), and
 * `image_download_failed` for everything else (refused URL or address, too many redirects,
 * non-2xx, timeout, abort, network error). `message` is for logs (URL without query string);
 * `publicMessage` is a short sentence for the person and never names the host.
 *
 * Not idempotent on the server side in general (a GET may be counted), but safe to retry.
 */
export async function safeDownload(url: string, rules: DownloadRules): Promise<DownloadResult> {
  const fail = failures(rules.expect ?? 'image', rules.maxBytes);
  if (!(rules.maxBytes > 0) || !(rules.timeoutMs > 0)) {
    throw new TableRoundError('internal', `safeDownload needs positive maxBytes and timeoutMs (got ${rules.maxBytes}, ${rules.timeoutMs})`);
  }
  const maxRedirects = rules.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const deadline = AbortSignal.timeout(rules.timeoutMs);
  const signal = rules.signal ? AbortSignal.any([deadline, rules.signal]) : deadline;
  let current: URL;
  try {
    current = new URL(url);
  } catch (error) {
    throw fail.failed('not a valid absolute URL', error);
  }
  const firstOrigin = current.origin;
  let sendHeaders = true;
  try {
    for (let redirects = 0; ; redirects += 1) {
      checkUrl(current, rules, fail);
      const addresses = await resolveChecked(current, rules, signal, fail);
      const headers: Record<string, string> = { 'user-agent': 'TableRound', ...(sendHeaders ? rules.headers : {}), 'accept-encoding': 'identity' };
      const hop = await requestOnce(current, addresses, headers, rules, signal, fail);
      if (hop.kind === 'body') return { bytes: hop.bytes, finalUrl: current.href, ...(hop.contentType === undefined ? {} : { contentType: hop.contentType }) };
      if (redirects >= maxRedirects) throw fail.refused(`more than ${maxRedirects} redirects, last at ${describeUrl(current)}`);
      let next: URL;
      try {
        next = new URL(hop.location, current);
      } catch (error) {
        throw fail.failed(`unparseable redirect Location from ${describeUrl(current)}`, error);
      }
      if (next.origin !== firstOrigin) sendHeaders = false;
      current = next;
    }
  } catch (error) {
    if (error instanceof TableRoundError) throw error;
    if (deadline.aborted) throw fail.timedOut(`no complete answer within ${rules.timeoutMs} ms: ${describeUrl(current)}`);
    if (rules.signal?.aborted) throw fail.failed(`aborted by the caller: ${describeUrl(current)}`, rules.signal.reason);
    throw fail.failed(`${error instanceof Error ? error.message : String(error)}: ${describeUrl(current)}`, error);
  }
}
