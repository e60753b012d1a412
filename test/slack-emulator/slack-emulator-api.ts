/**
 * The Slack emulator's driver API and options (slack-emulator.ts builds it): what a test can make
 * the people in a workspace do, and what it can inspect of what the bot did.
 */
import type { EmulatedFile, EmulatedMessage, EmulatedUser, Workspace } from './workspace.ts';
import type { RateLimitHit, RateLimitOptions } from './rate-limiter.ts';
import type { ApiCall, WebApiServer } from './web-api-server.ts';
import type { SocketModeServer } from './socket-mode-server.ts';
import type { Delivery, EventSender } from './event-sender.ts';
import type { OpenView } from './views.ts';
import type { InjectedSlackFault, SlackFaultRule } from './injected-faults.ts';
import type { OAuthApp } from './oauth-installs.ts';

/** A view_submission's delivery, and what the app's ack said (`response_action: "errors"` keeps the view open). */
export interface ViewSubmission {
  delivery: Delivery;
  errors?: Record<string, string>;
}

export interface SlackEmulatorOptions {
  transport?: 'http' | 'socket';
  /** The bot's Events API / interactivity / command endpoint (HTTP transport). */
  botUrl?: string;
  rateLimits?: Partial<RateLimitOptions>;
  retryDelaysMs?: number[];
  ackTimeoutMs?: number;
  /** Deliver `message` events for the bot's own posts, as Slack does (default true). */
  echoBotMessages?: boolean;
  signingSecret?: string;
  /** The workspace draws chart blocks (default true); false refuses them like a workspace without the feature. */
  chartBlocks?: boolean;
  botToken?: string;
  appToken?: string;
  /**
   * Install through OAuth: the app's client id / secret (generated when omitted) and its registered
   * Redirect URLs (settable later with `setRedirectUris`). No workspace holds a token until installed.
   */
  oauth?: Partial<OAuthApp>;
}

export interface PostedByPerson {
  ts: string;
  /** Deliveries of the events this message caused (message, app_mention). */
  deliveries: Delivery[];
}

export interface SlackEmulator {
  readonly apiUrl: string;
  readonly baseUrl: string;
  readonly workspace: Workspace;
  readonly signingSecret: string;
  readonly botToken: string;
  readonly appToken: string;
  readonly sender: EventSender;
  readonly server: WebApiServer;
  /** The Socket Mode side (`requestRefresh`, `connectionsAccepted`). */
  readonly socket: SocketModeServer;
  setBotUrl(url: string): void;
  /** Every workspace, the first first. */
  readonly workspaces: Workspace[];
  /** Another team with the same app (installed at once without `oauth`, with a token of its own). */
  addWorkspace(name: string): Workspace;
  /** The app's OAuth credentials and Redirect URLs. */
  readonly oauthApp: OAuthApp;
  setRedirectUris(uris: string[]): void;
  /** Slack's authorize page (`/oauth/v2/authorize`). */
  readonly authorizeUrl: string;
  /**
   * A person on the authorize page (the app's `authorizeUrl` with its query) presses "Allow" in
   * `workspace` (or "Cancel" with `deny`): the answer, normally a 302 to the redirect URI with
   * `code` and `state`.
   */
  approveInstall(authorizeUrl: string, workspace: Workspace, user: EmulatedUser, options?: { deny?: boolean }): Promise<{ status: number; location: string | undefined; body: string }>;
  /** An admin removes the app from the workspace: tokens revoked, then `tokens_revoked` and `app_uninstalled` delivered. */
  uninstallApp(workspace: Workspace): Promise<Delivery[]>;
  /** The live bot token of a workspace (undefined when not installed). */
  botTokenOf(workspace: Workspace): string | undefined;
  addUser(name: string, options?: { isAdmin?: boolean; isOwner?: boolean; workspace?: Workspace }): EmulatedUser;
  addChannel(name: string, workspace?: Workspace): { id: string; name: string };
  uploadFile(user: EmulatedUser, file: { name: string; mimetype: string; bytes: Buffer }): EmulatedFile;
  userMentions(user: EmulatedUser, channel: string, text: string, options?: { files?: EmulatedFile[]; threadTs?: string }): Promise<PostedByPerson>;
  userReplies(user: EmulatedUser, channel: string, threadTs: string, text: string, options?: { files?: EmulatedFile[] }): Promise<PostedByPerson>;
  userRunsCommand(user: EmulatedUser, channel: string, text: string, command?: string): Promise<Delivery & { responseUrlId: string }>;
  userClicks(user: EmulatedUser, channel: string, messageTs: string, actionId: string): Promise<Delivery>;
  /**
   * The person presses a button of an ephemeral message they were shown (the `index`-th of
   * `ephemeralsFor(user.id)`): Slack sends block_actions with `container.is_ephemeral: true` and
   * no `message`, and a fresh response_url.
   */
  userClicksEphemeral(user: EmulatedUser, index: number, actionId: string): Promise<Delivery>;
  /** The person submits an open view: values by input `block_id` → `action_id`. */
  userSubmitsView(user: EmulatedUser, viewId: string, values: Record<string, Record<string, string>>): Promise<ViewSubmission>;
  /** Views opened with views.open (open or closed), oldest first; for one person when given. */
  openViews(userId?: string): OpenView[];
  /** A thread's messages, the parent first. */
  thread(channel: string, threadTs: string): EmulatedMessage[];
  ephemeralsFor(userId: string): { text: string; channel: string; threadTs?: string; via: string; blocks?: unknown[] }[];
  calls(method?: string): ApiCall[];
  /** Answers matching Web API calls with a documented failure instead of running them (injected-faults.ts). */
  injectFault(rule: SlackFaultRule): void;
  /** Every failure answered so far because of `injectFault`, oldest first. */
  readonly injectedFaults: InjectedSlackFault[];
  /** How many of the app's own messages were delivered back to it as `message` events (as Slack does). */
  readonly botEchoes: number;
  readonly rateLimitHits: RateLimitHit[];
  readonly deliveries: Delivery[];
  waitFor<T>(probe: () => T | undefined | false, options?: { timeoutMs?: number; intervalMs?: number; message?: string }): Promise<T>;
  stop(): Promise<void>;
}
