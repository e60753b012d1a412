/**
 * A loopback Slack for tests: Web API, file host, signed event sender and Socket Mode server,
 * plus a driver API that plays the people in the workspace (`userMentions`, `userReplies`,
 * `userRunsCommand`, `userClicks`, `userSubmitsView`) and inspects what the bot did (`thread`,
 * `ephemeralsFor`, `openViews`, `rateLimitHits`). Point the bot's `slackApiUrl` at `apiUrl`.
 */
import { randomUUID } from 'node:crypto';
import { randomId, fileObject, Workspace, type EmulatedFile, type EmulatedMessage, type EmulatedUser } from './workspace.ts';
import { defaultRateLimits, type RateLimitHit, type RateLimitOptions } from './rate-limiter.ts';
import { WebApiServer, type ApiCall } from './web-api-server.ts';
import { SocketModeServer } from './socket-mode-server.ts';
import { EventSender, type Delivery } from './event-sender.ts';
import { messageObject } from './web-api-methods.ts';
import { submittedState, type OpenView } from './views.ts';
import type { InjectedSlackFault, SlackFaultRule } from './injected-faults.ts';

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
  addUser(name: string, options?: { isAdmin?: boolean; isOwner?: boolean }): EmulatedUser;
  addChannel(name: string): { id: string; name: string };
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

export async function startSlackEmulator(options: SlackEmulatorOptions = {}): Promise<SlackEmulator> {
  const workspace = new Workspace();
  workspace.chartBlocks = options.chartBlocks ?? true;
  const signingSecret = options.signingSecret ?? randomId('', 32).toLowerCase();
  const botToken = options.botToken ?? `xoxb-${randomId('', 12)}-${randomId('', 24)}`;
  const appToken = options.appToken ?? `xapp-1-${randomId('', 10)}-${randomId('', 24)}`;
  const echoBotMessages = options.echoBotMessages ?? true;
  let botEchoes = 0;
  const pending = new Set<Promise<unknown>>();
  let stopped = false;

  const track = (promise: Promise<unknown>) => {
    const tracked = promise.catch(() => undefined).finally(() => pending.delete(tracked));
    pending.add(tracked);
  };

  const envelope = (event: Record<string, unknown>): Record<string, unknown> => ({
    token: 'verification-token-unused',
    team_id: workspace.teamId,
    context_team_id: workspace.teamId,
    api_app_id: workspace.appId,
    event,
    type: 'event_callback',
    event_id: randomId('Ev', 10),
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: workspace.teamId, user_id: workspace.botUserId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: randomId('4-', 24),
  });

  // Created after the server (they need its URL); the server's callbacks reach them through here.
  const late: { sender?: EventSender; socket?: SocketModeServer } = {};
  const server: WebApiServer = new WebApiServer({
    workspace,
    botToken,
    appToken,
    rateLimits: { ...defaultRateLimits, ...options.rateLimits },
    issueSocketUrl: (baseUrl): string => late.socket?.issueUrl(baseUrl) ?? '',
    onBotMessage: (message) => {
      if (!echoBotMessages || stopped) return;
      const event = { ...messageObject(message, workspace), channel: message.channel, event_ts: message.ts, channel_type: 'channel' };
      if (!late.sender) return;
      botEchoes += 1;
      track(late.sender.deliverEvent(envelope(event)));
    },
  });
  const baseUrl = await server.listen();
  const socket = new SocketModeServer(server.server, workspace.appId);
  const sender = new EventSender({
    signingSecret,
    transport: options.transport ?? 'http',
    botUrl: options.botUrl,
    socket,
    retryDelaysMs: options.retryDelaysMs ?? [0, 200, 500],
    ackTimeoutMs: options.ackTimeoutMs ?? 3_000,
  });
  late.socket = socket;
  late.sender = sender;

  const personMessage = async (user: EmulatedUser, channel: string, text: string, threadTs: string | undefined, files: EmulatedFile[] | undefined): Promise<PostedByPerson> => {
    const ts = workspace.nextTs();
    const message: EmulatedMessage = { channel, ts, ...(threadTs ? { threadTs } : {}), user: user.id, text, ...(files?.length ? { files, subtype: 'file_share' } : {}), edits: 0, history: [text] };
    workspace.messages.push(message);
    for (const file of files ?? []) {
      file.channel = channel;
      if (threadTs) file.threadTs = threadTs;
    }
    const common = {
      user: user.id,
      text,
      ts,
      channel,
      event_ts: ts,
      team: workspace.teamId,
      client_msg_id: randomUUID(),
      blocks: [{ type: 'rich_text', block_id: randomId('', 5), elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text }] }] }],
      ...(threadTs ? { thread_ts: threadTs, parent_user_id: workspace.thread(channel, threadTs)[0]?.user } : {}),
      ...(files?.length ? { files: files.map((file) => fileObject(file, baseUrl, workspace.teamId)), upload: false, display_as_bot: false } : {}),
    };
    const events: Record<string, unknown>[] = [{ type: 'message', ...(files?.length ? { subtype: 'file_share' } : {}), channel_type: 'channel', ...common }];
    if (text.includes(`<@${workspace.botUserId}>`)) events.unshift({ type: 'app_mention', ...common });
    const results = await Promise.all(events.map((event) => sender.deliverEvent(envelope(event))));
    return { ts, deliveries: results.flat() };
  };

  const emulator: SlackEmulator = {
    apiUrl: `${baseUrl}/api/`,
    baseUrl,
    workspace,
    signingSecret,
    botToken,
    appToken,
    sender,
    server,
    socket,
    setBotUrl: (url) => {
      sender.botUrl = url;
    },
    addUser: (name, userOptions = {}) => workspace.addUser({ name, ...userOptions }),
    addChannel: (name) => workspace.addChannel(name),
    uploadFile: (user, file) => {
      const stored: EmulatedFile = { id: randomId('F'), name: file.name, title: file.name, mimetype: file.mimetype, size: file.bytes.length, bytes: file.bytes, user: user.id, created: Math.floor(Date.now() / 1000) };
      workspace.files.set(stored.id, stored);
      return stored;
    },
    userMentions: (user, channel, text, mentionOptions = {}) => personMessage(user, channel, `<@${workspace.botUserId}> ${text}`, mentionOptions.threadTs, mentionOptions.files),
    userReplies: (user, channel, threadTs, text, replyOptions = {}) => personMessage(user, channel, text, threadTs, replyOptions.files),
    userRunsCommand: async (user, channel, text, command = '/roundtable') => {
      const responseUrlId = randomId('R', 16);
      server.responseUrls.set(responseUrlId, { remaining: 5, channel, user: user.id });
      const payload = {
        token: 'verification-token-unused',
        team_id: workspace.teamId,
        team_domain: workspace.teamDomain,
        channel_id: channel,
        channel_name: workspace.channels.get(channel)?.name ?? 'unknown',
        user_id: user.id,
        user_name: user.name,
        command,
        text,
        api_app_id: workspace.appId,
        is_enterprise_install: 'false',
        response_url: `${baseUrl}/response/${responseUrlId}`,
        trigger_id: workspace.issueTrigger(user.id),
      };
      const delivery = await sender.sendOnce('command', payload);
      return { ...delivery, responseUrlId };
    },
    userClicks: async (user, channel, messageTs, actionId) => {
      const message = workspace.findMessage(channel, messageTs);
      if (!message) throw new Error(`no message ${messageTs} in ${channel}`);
      const button = findButton(message.blocks ?? [], actionId);
      if (!button) throw new Error(`no button ${actionId} in message ${messageTs}`);
      const responseUrlId = randomId('R', 16);
      server.responseUrls.set(responseUrlId, { remaining: 5, channel, user: user.id, ...(message.threadTs ? { threadTs: message.threadTs } : {}) });
      const payload = {
        type: 'block_actions',
        user: { id: user.id, username: user.name, name: user.name, team_id: workspace.teamId },
        api_app_id: workspace.appId,
        token: 'verification-token-unused',
        container: { type: 'message', message_ts: message.ts, channel_id: channel, is_ephemeral: false, ...(message.threadTs ? { thread_ts: message.threadTs } : {}) },
        trigger_id: workspace.issueTrigger(user.id),
        team: { id: workspace.teamId, domain: workspace.teamDomain },
        enterprise: null,
        is_enterprise_install: false,
        channel: { id: channel, name: workspace.channels.get(channel)?.name ?? 'unknown' },
        message: { ...messageObject(message, workspace) },
        state: { values: {} },
        response_url: `${baseUrl}/response/${responseUrlId}`,
        actions: [{ action_id: actionId, block_id: button.blockId, text: button.text, value: button.value, type: 'button', action_ts: `${Date.now() / 1000}` }],
      };
      return sender.sendOnce('interactive', payload);
    },
    userClicksEphemeral: async (user, index, actionId) => {
      const shown = workspace.ephemerals.filter((ephemeral) => ephemeral.user === user.id)[index];
      if (!shown) throw new Error(`no ephemeral ${index} for ${user.id}`);
      const button = findButton(shown.blocks ?? [], actionId);
      if (!button) throw new Error(`no button ${actionId} in ephemeral ${index}`);
      const responseUrlId = randomId('R', 16);
      server.responseUrls.set(responseUrlId, { remaining: 5, channel: shown.channel, user: user.id, ...(shown.threadTs ? { threadTs: shown.threadTs } : {}) });
      const payload = {
        type: 'block_actions',
        user: { id: user.id, username: user.name, name: user.name, team_id: workspace.teamId },
        api_app_id: workspace.appId,
        token: 'verification-token-unused',
        container: { type: 'message', message_ts: workspace.nextTs(), channel_id: shown.channel, is_ephemeral: true, ...(shown.threadTs ? { thread_ts: shown.threadTs } : {}) },
        trigger_id: workspace.issueTrigger(user.id),
        team: { id: workspace.teamId, domain: workspace.teamDomain },
        enterprise: null,
        is_enterprise_install: false,
        channel: { id: shown.channel, name: workspace.channels.get(shown.channel)?.name ?? 'unknown' },
        state: { values: {} },
        response_url: `${baseUrl}/response/${responseUrlId}`,
        actions: [{ action_id: actionId, block_id: button.blockId, text: button.text, value: button.value, type: 'button', action_ts: `${Date.now() / 1000}` }],
      };
      return sender.sendOnce('interactive', payload);
    },
    userSubmitsView: async (user, viewId, values) => {
      const open = workspace.views.get(viewId);
      if (!open || open.closed) throw new Error(`no open view ${viewId}`);
      if (open.userId !== user.id) throw new Error(`view ${viewId} is open for ${open.userId}, not ${user.id}`);
      const view = { ...open.view, state: { values: submittedState(open.view, values) } };
      const payload = {
        type: 'view_submission',
        team: { id: workspace.teamId, domain: workspace.teamDomain },
        user: { id: user.id, username: user.name, name: user.name, team_id: workspace.teamId },
        api_app_id: workspace.appId,
        token: 'verification-token-unused',
        trigger_id: workspace.issueTrigger(user.id),
        view,
        response_urls: [],
        is_enterprise_install: false,
        enterprise: null,
      };
      const delivery = await sender.sendOnce('interactive', payload);
      let answer: { response_action?: string; errors?: Record<string, string> } = {};
      try {
        const parsed: unknown = delivery.body ? JSON.parse(delivery.body) : undefined;
        answer = parsed && typeof parsed === 'object' ? (parsed as typeof answer) : {};
      } catch {
        answer = {};
      }
      // An ack without a response_action closes the modal; `errors` keeps it open.
      const refused = answer.response_action === 'errors';
      if (delivery.status === 200 && !refused) open.closed = true;
      return { delivery, ...(refused && answer.errors ? { errors: answer.errors } : {}) };
    },
    openViews: (userId) => [...workspace.views.values()].filter((view) => userId === undefined || view.userId === userId),
    thread: (channel, threadTs) => workspace.thread(channel, threadTs),
    ephemeralsFor: (userId) => workspace.ephemerals.filter((ephemeral) => ephemeral.user === userId),
    calls: (method) => server.calls.filter((call) => method === undefined || call.method === method),
    injectFault: (rule) => server.faults.add(rule),
    injectedFaults: server.faults.injected,
    get botEchoes() {
      return botEchoes;
    },
    rateLimitHits: server.limiter.hits,
    deliveries: sender.deliveries,
    waitFor: async (probe, waitOptions = {}) => {
      const deadline = Date.now() + (waitOptions.timeoutMs ?? 15_000);
      for (;;) {
        const value = probe();
        if (value !== undefined && value !== false) return value as never;
        if (Date.now() > deadline) throw new Error(`timed out waiting: ${waitOptions.message ?? 'condition'}`);
        await new Promise((resolve) => setTimeout(resolve, waitOptions.intervalMs ?? 25));
      }
    },
    stop: async () => {
      stopped = true;
      await Promise.all([...pending]);
      await socket.close();
      server.server.closeAllConnections();
      await new Promise<void>((resolve) => server.server.close(() => resolve()));
    },
  };
  return emulator;
}

interface ButtonFound {
  blockId: string;
  value: string;
  text: unknown;
}

function findButton(blocks: unknown[], actionId: string): ButtonFound | undefined {
  for (const block of blocks as { block_id?: string; elements?: unknown[]; accessory?: unknown }[]) {
    const elements = [...(block.elements ?? []), ...(block.accessory ? [block.accessory] : [])] as { type?: string; action_id?: string; value?: string; text?: unknown }[];
    for (const element of elements) {
      if (element.type === 'button' && element.action_id === actionId) return { blockId: block.block_id ?? '', value: element.value ?? '', text: element.text };
    }
  }
  return undefined;
}
