/**
 * An emulated workspace: one team, its users, channels, messages and files, and the app's bot
 * user there (each workspace has its own bot user and bot id; the app id is the app's, the same
 * in every workspace). Plain data; the Web API methods (web-api-methods.ts) and the driver
 * (slack-emulator.ts) read and write it.
 */
import { randomBytes } from 'node:crypto';
import type { IssuedTrigger, OpenView } from './views.ts';

export interface EmulatedUser {
  id: string;
  name: string;
  realName: string;
  isAdmin: boolean;
  isOwner: boolean;
  isBot: boolean;
}

export interface EmulatedFile {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  size: number;
  bytes: Buffer;
  user: string;
  created: number;
  /** Set once shared into a channel. */
  channel?: string;
  threadTs?: string;
  /** `getUploadURLExternal` reserved it; bytes arrive through the upload URL. */
  pendingLength?: number;
  /** Screen-reader description, from `files.getUploadURLExternal`'s `alt_txt` (the only name Slack reads). */
  altText?: string;
}

export interface EmulatedMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  /** Set for people's messages and for the bot user's own posts. */
  user?: string;
  botId?: string;
  appId?: string;
  subtype?: string;
  username?: string;
  iconUrl?: string;
  iconEmoji?: string;
  text: string;
  blocks?: unknown[];
  files?: EmulatedFile[];
  /** Native streaming state (`chat.startStream`): open until `chat.stopStream`. */
  streaming?: 'open' | 'stopped';
  /** Number of chat.update / appendStream calls that changed it. */
  edits: number;
  /** Every text the message has had, oldest first. */
  history: string[];
}

/** What `assistant.threads.setStatus` shows under a thread ("is writing…"), as whom. */
export interface ThreadStatus {
  channel: string;
  threadTs: string;
  status: string;
  loadingMessages?: string[];
  username?: string;
  iconUrl?: string;
  iconEmoji?: string;
  at: number;
}

export interface Ephemeral {
  channel: string;
  user: string;
  threadTs?: string;
  text: string;
  blocks?: unknown[];
  via: 'chat.postEphemeral' | 'response_url';
}

/** Slack removes a thread status after two minutes if no message was sent (assistant.threads.setStatus). */
export const threadStatusTimeoutMs = 120_000;

export function threadKey(channel: string, threadTs: string): string {
  return `${channel}:${threadTs}`;
}

export function randomId(prefix: string, length = 10): string {
  return `${prefix}${randomBytes(length).toString('hex').toUpperCase().slice(0, length)}`;
}

export class Workspace {
  readonly teamId = randomId('T');
  readonly teamDomain: string;
  readonly teamName: string;
  readonly enterpriseId = undefined;
  readonly appId: string;
  readonly botId = randomId('B');
  readonly botUserId = randomId('U');
  readonly botName = 'tableround';
  readonly users = new Map<string, EmulatedUser>();
  /** User groups (subteams): id → member user ids (usergroups.users.list). */
  readonly userGroups = new Map<string, string[]>();
  readonly channels = new Map<string, { id: string; name: string }>();
  readonly messages: EmulatedMessage[] = [];
  readonly ephemerals: Ephemeral[] = [];
  readonly files = new Map<string, EmulatedFile>();
  /**
   * Every `assistant.threads.setStatus` call that Slack accepted, oldest first. Slack shows a
   * status until the app posts in the thread, a new status replaces it, or two minutes pass.
   */
  readonly threadStatuses: ThreadStatus[] = [];
  /** Thread key → the last status set (cleared by an empty status or a bot post); see `statusOf`. */
  readonly currentThreadStatus = new Map<string, ThreadStatus>();
  /** trigger_ids handed out with interaction payloads (views.open exchanges each once, within 3 s). */
  readonly triggers = new Map<string, IssuedTrigger>();
  /** Views opened with views.open, by view id. */
  readonly views = new Map<string, OpenView>();
  /**
   * The workspace draws `data_visualization` (chart) blocks. False acts as a workspace without the
   * feature (a phased rollout): any chart block is refused `invalid_blocks` (chart-blocks.ts).
   */
  chartBlocks = true;
  /** The app is installed here: Slack delivers this workspace's events only while it is. */
  installed = true;
  private lastTsMicros = 0;

  constructor(options: { appId?: string; teamDomain?: string; teamName?: string } = {}) {
    this.appId = options.appId ?? randomId('A');
    this.teamDomain = options.teamDomain ?? 'tableround-emulated';
    this.teamName = options.teamName ?? 'TableRound Emulated';
    this.users.set(this.botUserId, { id: this.botUserId, name: this.botName, realName: 'TableRound', isAdmin: false, isOwner: false, isBot: true });
  }

  /** Message timestamps: unique and increasing, `seconds.micros` like Slack's. */
  nextTs(): string {
    this.lastTsMicros = Math.max(Date.now() * 1000, this.lastTsMicros + 1);
    const seconds = Math.floor(this.lastTsMicros / 1_000_000);
    return `${seconds}.${String(this.lastTsMicros % 1_000_000).padStart(6, '0')}`;
  }

  addUser(options: { name: string; isAdmin?: boolean; isOwner?: boolean; id?: string }): EmulatedUser {
    const user: EmulatedUser = {
      id: options.id ?? randomId('U'),
      name: options.name,
      realName: options.name,
      isAdmin: options.isAdmin ?? false,
      isOwner: options.isOwner ?? false,
      isBot: false,
    };
    this.users.set(user.id, user);
    return user;
  }

  addChannel(name: string, id = randomId('C')): { id: string; name: string } {
    const channel = { id, name };
    this.channels.set(id, channel);
    return channel;
  }

  /** A trigger_id for an interaction payload, in Slack's `12345.98765.abcd…` form. */
  issueTrigger(userId: string, now = Date.now()): string {
    const id = `${Math.floor(now / 1000)}.${randomBytes(4).readUInt32BE(0)}.${randomBytes(16).toString('hex')}`;
    this.triggers.set(id, { userId, issuedAt: now, exchanged: false });
    return id;
  }

  findMessage(channel: string, ts: string): EmulatedMessage | undefined {
    return this.messages.find((message) => message.channel === channel && message.ts === ts);
  }

  /** The status a thread shows now, if any (Slack drops it after two minutes without a post). */
  statusOf(channel: string, threadTs: string, now = Date.now()): ThreadStatus | undefined {
    const status = this.currentThreadStatus.get(threadKey(channel, threadTs));
    return status && now - status.at < threadStatusTimeoutMs ? status : undefined;
  }

  /** Messages of a thread (the parent first), or the channel's top-level messages. */
  thread(channel: string, threadTs: string): EmulatedMessage[] {
    return this.messages.filter((message) => message.channel === channel && (message.ts === threadTs || message.threadTs === threadTs));
  }
}

/** Slack's file object, as events and files.* methods show it. */
export function fileObject(file: EmulatedFile, baseUrl: string, teamId: string): Record<string, unknown> {
  const path = `${baseUrl}/files-pri/${teamId}-${file.id}`;
  return {
    id: file.id,
    created: file.created,
    timestamp: file.created,
    name: file.name,
    title: file.title,
    mimetype: file.mimetype,
    filetype: file.name.split('.').pop() ?? 'binary',
    pretty_type: file.mimetype,
    user: file.user,
    user_team: teamId,
    editable: false,
    size: file.size,
    mode: 'hosted',
    is_external: false,
    external_type: '',
    is_public: true,
    public_url_shared: false,
    display_as_bot: false,
    username: '',
    url_private: `${path}/${encodeURIComponent(file.name)}`,
    url_private_download: `${path}/download/${encodeURIComponent(file.name)}`,
    permalink: `https://${teamId.toLowerCase()}.slack.test/files/${file.user}/${file.id}/${encodeURIComponent(file.name)}`,
    is_starred: false,
    has_rich_preview: false,
    file_access: 'visible',
  };
}
