/**
 * Which hosts an outbound download may reach: a host name checked against an allow-list, and an
 * address checked against the ranges that are never reachable by default — loopback, private,
 * link-local (the cloud metadata service at 169.254.169.254), carrier-grade NAT, ULA, multicast,
 * reserved, and the IPv6 forms that embed an IPv4 address (`::ffff:169.254.169.254`, NAT64, 6to4).
 *
 * Pure: no DNS here; `safe-download.ts` resolves names and calls these checks on every address.
 */
import { isIP } from 'node:net';

/**
 * Lower-cases a host and strips what `URL.hostname` may keep: IPv6 brackets and the trailing root
 * dot (`cdn.discordapp.com.` is the same host and must not slip past an exact-name rule).
 */
export function normalizeHostname(hostname: string): string {
  let name = hostname.trim().toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  if (name.endsWith('.')) name = name.slice(0, -1);
  return name;
}

/**
 * True when `hostname` matches one of `allowedHosts`:
 * - an exact name or IP literal (`cdn.discordapp.com`, `127.0.0.1`, `::1` or `[::1]`);
 * - a suffix pattern, `*.slack.com` or `.slack.com` (same meaning): any name *below* that domain,
 *   at any depth (`files.slack.com`, `a.b.slack.com`), but not the domain itself — list
 *   `slack.com` separately if it is wanted — and never an IP literal.
 * Matching is case-insensitive and ignores a trailing root dot. An empty pattern matches nothing.
 */
export function isAllowedHost(hostname: string, allowedHosts: readonly string[]): boolean {
  const name = normalizeHostname(hostname);
  if (name === '') return false;
  return allowedHosts.some((pattern) => {
    const normalizedPattern = pattern.trim().toLowerCase();
    const suffix = normalizedPattern.startsWith('*.') ? normalizedPattern.slice(1) : normalizedPattern.startsWith('.') ? normalizedPattern : undefined;
    if (suffix === undefined) return normalizedPattern !== '' && normalizeHostname(normalizedPattern) === name;
    if (suffix.length < 2 || isIP(name) !== 0 || !name.endsWith(suffix)) return false;
    const label = name.slice(0, name.length - suffix.length);
    return label !== '' && !label.startsWith('.');
  });
}

/** [first address, prefix length, why it is refused]. */
type Ipv4Range = readonly [string, number, string];
type Ipv6Range = readonly [string, number, string];

const NON_PUBLIC_IPV4_RANGES: readonly Ipv4Range[] = [
  ['0.0.0.0', 8, '"this network" (0.0.0.0/8)'],
  ['10.0.0.0', 8, 'private (10/8)'],
  // Also holds Alibaba Cloud's metadata service, 100.100.100.200.
  ['100.64.0.0', 10, 'carrier-grade NAT (100.64/10)'],
  ['127.0.0.0', 8, 'loopback (127/8)'],
  ['169.254.0.0', 16, 'link-local, cloud metadata (169.254/16)'],
  ['172.16.0.0', 12, 'private (172.16/12)'],
  // Also holds Oracle Cloud's metadata service, 192.0.0.192.
  ['192.0.0.0', 24, 'IETF protocol assignments (192.0.0/24)'],
  ['192.168.0.0', 16, 'private (192.168/16)'],
  ['198.18.0.0', 15, 'benchmarking (198.18/15)'],
  ['224.0.0.0', 4, 'multicast (224/4)'],
  ['240.0.0.0', 4, 'reserved or broadcast (240/4)'],
];

const NON_PUBLIC_IPV6_RANGES: readonly Ipv6Range[] = [
  ['::', 128, 'unspecified (::)'],
  ['::1', 128, 'loopback (::1)'],
  ['fe80::', 10, 'link-local (fe80::/10)'],
  ['fec0::', 10, 'site-local (fec0::/10)'],
  // Also holds AWS's IPv6 metadata service, fd00:ec2::254.
  ['fc00::', 7, 'unique local (fc00::/7)'],
  ['ff00::', 8, 'multicast (ff00::/8)'],
  ['64:ff9b:1::', 48, 'local-use NAT64 (64:ff9b:1::/48)'],
  ['2001::', 32, 'Teredo tunnel (2001::/32)'],
];

/** IPv6 ranges whose low bits carry an IPv4 address that a gateway or the kernel will reach. */
const IPV4_EMBEDDING_RANGES: readonly (readonly [string, number, (value: bigint) => number, string])[] = [
  ['::ffff:0:0', 96, (value) => Number(value & 0xffffffffn), 'IPv4-mapped'],
  ['::', 96, (value) => Number(value & 0xffffffffn), 'IPv4-compatible'],
  ['64:ff9b::', 96, (value) => Number(value & 0xffffffffn), 'NAT64'],
  ['2002::', 16, (value) => Number((value >> 80n) & 0xffffffffn), '6to4'],
];

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((total, part) => total * 256 + Number(part), 0);
}

function numberToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join('.');
}

/** Parses a valid IPv6 text (as `isIP` accepts it, zone id and trailing dotted quad included) into 128 bits. */
function ipv6ToBigInt(address: string): bigint {
  let text = address.split('%')[0] ?? '';
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const embedded = ipv4ToNumber(tail);
    text = `${text.slice(0, lastColon + 1)}${(embedded >>> 16).toString(16)}:${(embedded & 0xffff).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const groupsOf = (part: string) => (part === '' ? [] : part.split(':'));
  const headGroups = groupsOf(head);
  const tailGroups = rest === undefined ? [] : groupsOf(rest);
  const zeros = Array.from({ length: 8 - headGroups.length - tailGroups.length }, () => '0');
  return [...headGroups, ...zeros, ...tailGroups].reduce((total, group) => (total << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}

function inIpv4Range(value: number, [first, prefix]: Ipv4Range): boolean {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return ((value & mask) >>> 0) === ((ipv4ToNumber(first) & mask) >>> 0);
}

function inIpv6Range(value: bigint, first: string, prefix: number): boolean {
  const shift = BigInt(128 - prefix);
  return value >> shift === ipv6ToBigInt(first) >> shift;
}

function nonPublicIpv4Range(value: number): string | undefined {
  return NON_PUBLIC_IPV4_RANGES.find((range) => inIpv4Range(value, range))?.[2];
}

/**
 * Names the non-public range `address` falls in (e.g. "link-local, cloud metadata (169.254/16)"),
 * or `undefined` for a public unicast address. `address` is an IP literal as `dns.lookup` returns
 * it or as `URL.hostname` writes it (brackets allowed). Fails closed: anything that is not a valid
 * IP address is reported as non-public.
 */
export function nonPublicRangeOf(address: string): string | undefined {
  const text = normalizeHostname(address);
  const family = isIP(text);
  if (family === 4) return nonPublicIpv4Range(ipv4ToNumber(text));
  if (family !== 6) return 'not an IP address';
  const value = ipv6ToBigInt(text);
  const direct = NON_PUBLIC_IPV6_RANGES.find(([first, prefix]) => inIpv6Range(value, first, prefix));
  if (direct) return direct[2];
  for (const [first, prefix, extract, name] of IPV4_EMBEDDING_RANGES) {
    if (!inIpv6Range(value, first, prefix)) continue;
    const embedded = extract(value);
    const range = nonPublicIpv4Range(embedded);
    if (range) return `${name} ${numberToIpv4(embedded)}: ${range}`;
  }
  return undefined;
}
