/**
 * Every Redis key is built here, under one configurable prefix. Session keys share a hash tag
 * (`{sessionId}`) so that a session's keys live in one Redis Cluster slot and MULTI/Lua over
 * them stays legal.
 */
export type SessionKeyType =
  | 'meta' // hash: SessionMeta fields
  | 'transcript' // list of JSON TranscriptEntry, append-only
  | 'notes' // hash: `${personaId}:${kind}` → text
  | 'candidates' // list of JSON keyword candidates (current pool)
  | 'poll' // hash: current poll
  | 'ballots' // hash: voterId → JSON ballot
  | 'inbox' // list of JSON inbound events awaiting the step machine
  | 'images' // hash: content hash → JSON image description
  | 'posted' // hash: idempotency key → platform message ids (JSON)
  | 'replay'; // hash: idempotency key → what was posted, until the step commits

export class RedisKeys {
  constructor(readonly prefix: string) {}

  session(type: SessionKeyType, sessionId: string): string {
    return `${this.prefix}:s:{${sessionId}}:${type}`;
  }

  /** Sorted set of live session ids scored by last activity (ms). */
  activeSessions(): string {
    return `${this.prefix}:active`;
  }

  /** Per-channel index of sessions for a user: used to find "my most recent session here". */
  userChannelSessions(platform: string, channel: string, userId: string): string {
    return `${this.prefix}:uc:${platform}:${channel}:${userId}`;
  }

  /** Pacing / rate budget buckets. */
  budget(name: string): string {
    return `${this.prefix}:budget:${name}`;
  }

  /** Per-user spend across sessions. */
  userSpend(platform: string, userId: string): string {
    return `${this.prefix}:spend:${platform}:${userId}`;
  }

  /** Deduplication of inbound platform events (e.g. Slack event_id). */
  inboundSeen(source: string, eventId: string): string {
    return `${this.prefix}:seen:${source}:${eventId}`;
  }

  /** Free-form cache entries (webhook ids, avatar URLs, …). */
  cache(name: string): string {
    return `${this.prefix}:cache:${name}`;
  }
}
