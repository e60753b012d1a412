/**
 * Every Redis key is built here, under one configurable prefix. Keys that one Lua script or one
 * MULTI touches together share a hash tag, so that on a Redis Cluster they live in one slot and
 * the script stays legal:
 * - a session's keys: `{sessionId}`;
 * - pacing budgets (buckets reserved together, with their waiter queues): one tag per platform,
 *   `{<platform>}` (a Discord write reserves its webhook's and its channel's buckets at once; a
 *   Slack post its channel's and its workspace's);
 * - BullMQ's keys: the queue prefix is one tag, as BullMQ documents for clusters.
 * Every other key is used alone.
 *
 * Hygiene: every key the bot writes has a TTL or a hard bound. Session keys carry the session
 * TTL (refreshed on activity); `pending` is bounded by the sessions that have work and is
 * pruned by the sweeper; budgets expire with their window; caches and dedupe marks have TTLs.
 */
export type SessionKeyType =
  | 'meta' // hash: SessionMeta fields
  | 'transcript' // list of TranscriptEntry (transcript-codec.ts), append-only
  | 'notes' // hash: `${personaId}:${kind}` → text
  | 'candidates' // list of JSON keyword candidates (current pool)
  | 'poll' // hash: current poll
  | 'ballots' // hash: voterId → JSON ballot
  | 'inbox' // list of JSON inbound events awaiting the step machine
  | 'images' // hash: content hash → JSON image description
  | 'outbox' // hash: the running step's outbox (pipeline/step-outbox.ts), deleted by its commit
  | 'thumbs'; // hash: image content hash → a small JPEG of it, for the HTML transcript (bounded by the session's image limits)

export const sessionKeyTypes: readonly SessionKeyType[] = ['meta', 'transcript', 'notes', 'candidates', 'poll', 'ballots', 'inbox', 'images', 'outbox', 'thumbs'];

export class RedisKeys {
  constructor(readonly prefix: string) {}

  session(type: SessionKeyType, sessionId: string): string {
    return `${this.prefix}:s:{${sessionId}}:${type}`;
  }

  /** Mark that an inbound event was taken into the session's inbox (same slot as the inbox). */
  sessionEventSeen(sessionId: string, eventId: string): string {
    return `${this.prefix}:s:{${sessionId}}:seen:${eventId}`;
  }

  /**
   * Sorted set of sessions that may have pending work, scored by when work was last added or
   * a step last made progress (ms). Read by the sweeper (pipeline/sweeper.ts), which re-kicks
   * sessions whose work has no live job and removes sessions that have none.
   */
  pendingSessions(): string {
    return `${this.prefix}:pending`;
  }

  /** Short lease so that one worker at a time sweeps. */
  sweeperLease(): string {
    return `${this.prefix}:sweeper`;
  }

  /** Per-channel index of sessions for a user: used to find "my most recent session here". */
  userChannelSessions(platform: string, channel: string, userId: string): string {
    return `${this.prefix}:uc:${platform}:${channel}:${userId}`;
  }

  /**
   * Pacing / rate budget buckets, named `<platform>:<what>:<id>`: tagged by the name's first part,
   * so that the buckets one write reserves together are in one cluster slot.
   */
  budget(name: string): string {
    const platform = name.slice(0, Math.max(0, name.indexOf(':'))) || name;
    return `${this.prefix}:budget:{${platform}}:${name}`;
  }

  /** BullMQ's prefix: one hash tag, so that every key of the queue is in one cluster slot (BullMQ requires it there). */
  queuePrefix(): string {
    return `${this.prefix}:{bull}`;
  }

  /** Per-user spend across sessions. */
  userSpend(platform: string, userId: string): string {
    return `${this.prefix}:spend:${platform}:${userId}`;
  }

  /** Deduplication of inbound platform events (e.g. Slack event_id). */
  inboundSeen(source: string, eventId: string): string {
    return `${this.prefix}:seen:${source}:${eventId}`;
  }

  /**
   * Pub/sub channel of `/stop` (pipeline/stop-signals.ts): one for all sessions, so a worker
   * subscribes once. Messages are `{ sessionId, seq, eventId }`; the durable record is the
   * session's `stopRequest` meta field and inbox event, never the message.
   */
  stopChannel(): string {
    return `${this.prefix}:stop`;
  }

  /**
   * A community's panels (hash: panel id → JSON record, src/community/community-panels.ts).
   * Bounded by COMMUNITY_PANELS_MAX; kept without a TTL, as configuration is.
   */
  communityPanels(community: string): string {
    return `${this.prefix}:panels:${community}`;
  }

  /** A drafted panel waiting for Save / Regenerate / Cancel (JSON; expires after an hour). */
  panelDraft(community: string, draftId: string): string {
    return `${this.prefix}:draft:${community}:${draftId}`;
  }

  /** A channel's settings (hash: key → value, src/community/channel-settings.ts). Bounded by the settings' keys; no TTL. */
  channelSettings(community: string, channel: string): string {
    return `${this.prefix}:settings:${community}:${channel}`;
  }

  /**
   * A Slack workspace's OAuth installation, sealed (adapters/slack/installation-store.ts). No TTL:
   * configuration, kept until the workspace removes the app; bounded by the workspaces that installed it.
   */
  slackInstallation(id: string): string {
    return `${this.prefix}:slack-install:${id}`;
  }

  /** The Slack workspace a channel belongs to (TTL: twice the session TTL, refreshed on use). */
  slackChannelTeam(channel: string): string {
    return `${this.prefix}:slack-channel-team:${channel}`;
  }

  /** The sessions started in a Slack workspace (sorted set: the newest 1,000, with a TTL), ended when it removes the app. */
  slackTeamSessions(team: string): string {
    return `${this.prefix}:slack-team-sessions:${team}`;
  }

  /** Free-form cache entries (webhook ids, avatar URLs, …). */
  cache(name: string): string {
    return `${this.prefix}:cache:${name}`;
  }
}
