/**
 * The one place session ids are built and parsed: `{platform}:{channel}:{thread}`.
 * Parts are percent-encoded so a part containing ':' (or '%') still round-trips.
 */
export type Platform = 'discord' | 'slack' | 'terminal';

export interface SessionAddress {
  platform: Platform;
  channel: string;
  thread: string;
  /**
   * The community the channel belongs to: a Discord guild id, a Slack team id (the terminal has
   * none: `communityOf`). Not part of the session id; panels and channel settings are kept per
   * community (src/community/).
   */
  community?: string;
}

const platforms: readonly Platform[] = ['discord', 'slack', 'terminal'];
const encodePart = (part: string) => part.replace(/%/g, '%25').replace(/:/g, '%3A');
const decodePart = (part: string) => part.replace(/%3A/gi, ':').replace(/%25/g, '%');

export function buildSessionId(address: SessionAddress): string {
  if (!address.channel || !address.thread) throw new Error('session id needs a channel and a thread');
  return `${address.platform}:${encodePart(address.channel)}:${encodePart(address.thread)}`;
}

export function parseSessionId(sessionId: string): SessionAddress {
  const parts = sessionId.split(':');
  const [platform, channel, thread] = parts;
  if (parts.length !== 3 || !platforms.includes(platform as Platform) || !channel || !thread) {
    throw new Error(`not a session id: ${JSON.stringify(sessionId)}`);
  }
  return { platform: platform as Platform, channel: decodePart(channel), thread: decodePart(thread) };
}

/** The platform part of a session id, as `sessionId.split(':')[0]` gives it, without splitting the rest (a step asks several times). */
export function platformOfSession(sessionId: string): string {
  const end = sessionId.indexOf(':');
  return end < 0 ? sessionId : sessionId.slice(0, end);
}

export function isSessionId(value: string): boolean {
  try {
    parseSessionId(value);
    return true;
  } catch {
    return false;
  }
}

/** The community an address belongs to, as panels and settings are keyed: `discord:<guild>`, `slack:<team>`, `terminal:local`. */
export function communityOf(address: Pick<SessionAddress, 'platform' | 'community'>): string {
  const community = address.community?.trim();
  return `${address.platform}:${encodePart(community || (address.platform === 'terminal' ? 'local' : 'unknown'))}`;
}
