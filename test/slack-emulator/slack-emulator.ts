/**
 * A loopback Slack for tests: Web API, file host, signed event sender and Socket Mode server,
 * plus a driver API that plays the people in the workspace (`userMentions`, `userReplies`,
 * `userRunsCommand`, `userClicks`, `userSubmitsView`) and inspects what the bot did (`thread`,
 * `ephemeralsFor`, `openViews`, `rateLimitHits`). Point the bot's `slackApiUrl` at `apiUrl`.
 *
 * Many workspaces: `addWorkspace` adds a team (its own users, channels, bot user and tokens; the
 * same app). With `oauth`, the app is installed through Slack's OAuth v2 flow (oauth-installs.ts:
 * `authorizeUrl`, `approveInstall`, `oauth.v2.access`) instead of holding `botToken` from the
 * start, and `uninstallApp` removes it: tokens revoked, `tokens_revoked` and `app_uninstalled`
 * delivered signed, as Slack sends them. A person acts in the workspace of the channel (or user)
 * named; events are delivered only for workspaces the app is installed in.
 */
import { randomUUID } from 'node:crypto';
import { randomId, fileObject, Workspace, type EmulatedFile, type EmulatedMessage, type EmulatedUser } from './workspace.ts';
import { defaultRateLimits } from './rate-limiter.ts';
import { WebApiServer } from './web-api-server.ts';
import { SocketModeServer } from './socket-mode-server.ts';
import { EventSender, type Delivery } from './event-sender.ts';
import { messageObject } from './web-api-methods.ts';
import { submittedState } from './views.ts';
import type { PostedByPerson, SlackEmulator, SlackEmulatorOptions } from './slack-emulator-api.ts';
import { OAuthInstalls } from './oauth-installs.ts';

export type { PostedByPerson, SlackEmulator, SlackEmulatorOptions, ViewSubmission } from './slack-emulator-api.ts';

export async function startSlackEmulator(options: SlackEmulatorOptions = {}): Promise<SlackEmulator> {
  const workspace = new Workspace();
  workspace.chartBlocks = options.chartBlocks ?? true;
  const workspaces: Workspace[] = [workspace];
  const installs = new OAuthInstalls(
    { clientId: options.oauth?.clientId ?? `${randomId('', 10)}.${randomId('', 12)}`, clientSecret: options.oauth?.clientSecret ?? randomId('', 32).toLowerCase(), redirectUris: options.oauth?.redirectUris ?? [] },
    () => workspaces,
  );
  const ofChannel = (channel: string) => workspaces.find((candidate) => candidate.channels.has(channel)) ?? workspace;
  const ofUser = (userId: string) => workspaces.find((candidate) => candidate.users.has(userId)) ?? workspace;
  const signingSecret = options.signingSecret ?? randomId('', 32).toLowerCase();
  const botToken = options.botToken ?? `xoxb-${randomId('', 12)}-${randomId('', 24)}`;
  const appToken = options.appToken ?? `xapp-1-${randomId('', 10)}-${randomId('', 24)}`;
  if (options.oauth) workspace.installed = false;
  else installs.issue(workspace, botToken);
  const echoBotMessages = options.echoBotMessages ?? true;
  let botEchoes = 0;
  const pending = new Set<Promise<unknown>>();
  let stopped = false;

  const track = (promise: Promise<unknown>) => {
    const tracked = promise.catch(() => undefined).finally(() => pending.delete(tracked));
    pending.add(tracked);
  };

  const envelope = (event: Record<string, unknown>, from: Workspace = workspace): Record<string, unknown> => ({
    token: 'verification-token-unused',
    team_id: from.teamId,
    context_team_id: from.teamId,
    api_app_id: from.appId,
    event,
    type: 'event_callback',
    event_id: randomId('Ev', 10),
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: from.teamId, user_id: from.botUserId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: randomId('4-', 24),
  });

  // Created after the server (they need its URL); the server's callbacks reach them through here.
  const late: { sender?: EventSender; socket?: SocketModeServer } = {};
  const server: WebApiServer = new WebApiServer({
    workspace,
    installs,
    appToken,
    rateLimits: { ...defaultRateLimits, ...options.rateLimits },
    issueSocketUrl: (baseUrl): string => late.socket?.issueUrl(baseUrl) ?? '',
    onBotMessage: (message, from) => {
      if (!echoBotMessages || stopped || !from.installed) return;
      const event = { ...messageObject(message, from), channel: message.channel, event_ts: message.ts, channel_type: 'channel' };
      if (!late.sender) return;
      botEchoes += 1;
      track(late.sender.deliverEvent(envelope(event, from)));
    },
    onUninstall: (from) => track(removeApp(from)),
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

  /** Slack's events when an app is removed: its tokens revoked, then the uninstall itself. */
  const removeApp = async (from: Workspace): Promise<Delivery[]> => {
    installs.uninstall(from);
    const revoked = await sender.deliverEvent(envelope({ type: 'tokens_revoked', tokens: { bot: [from.botUserId] } }, from));
    const uninstalled = await sender.deliverEvent(envelope({ type: 'app_uninstalled' }, from));
    return [...revoked, ...uninstalled];
  };

  const personMessage = async (user: EmulatedUser, channel: string, text: string, threadTs: string | undefined, files: EmulatedFile[] | undefined): Promise<PostedByPerson> => {
    const workspace = ofChannel(channel);
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
    // An app that is not installed in the workspace hears nothing from it.
    if (!workspace.installed) return { ts, deliveries: [] };
    const results = await Promise.all(events.map((event) => sender.deliverEvent(envelope(event, workspace))));
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
    workspaces,
    addWorkspace: (name) => {
      const added = new Workspace({ appId: workspace.appId, teamDomain: name.toLowerCase().replace(/[^a-z0-9]+/g, '-'), teamName: name });
      added.chartBlocks = workspace.chartBlocks;
      workspaces.push(added);
      if (options.oauth) added.installed = false;
      else installs.issue(added);
      return added;
    },
    oauthApp: installs.app,
    setRedirectUris: (uris) => {
      installs.app.redirectUris = uris;
    },
    authorizeUrl: `${baseUrl}/oauth/v2/authorize`,
    approveInstall: async (authorizeUrl, target, user, approveOptions = {}) => {
      const form = new URLSearchParams(new URL(authorizeUrl).searchParams);
      form.set('team', target.teamId);
      form.set('user', user.id);
      if (approveOptions.deny) form.set('deny', 'true');
      const response = await fetch(`${baseUrl}/oauth/v2/authorize/approve`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(), redirect: 'manual' });
      return { status: response.status, location: response.headers.get('location') ?? undefined, body: await response.text() };
    },
    uninstallApp: (target) => removeApp(target),
    botTokenOf: (target) => installs.liveTokenOf(target),
    addUser: (name, userOptions = {}) => {
      const { workspace: target = workspace, ...flags } = userOptions;
      return target.addUser({ name, ...flags });
    },
    addChannel: (name, target = workspace) => target.addChannel(name),
    uploadFile: (user, file) => {
      const stored: EmulatedFile = { id: randomId('F'), name: file.name, title: file.name, mimetype: file.mimetype, size: file.bytes.length, bytes: file.bytes, user: user.id, created: Math.floor(Date.now() / 1000) };
      ofUser(user.id).files.set(stored.id, stored);
      return stored;
    },
    userMentions: (user, channel, text, mentionOptions = {}) => personMessage(user, channel, `<@${ofChannel(channel).botUserId}> ${text}`, mentionOptions.threadTs, mentionOptions.files),
    userReplies: (user, channel, threadTs, text, replyOptions = {}) => personMessage(user, channel, text, threadTs, replyOptions.files),
    userRunsCommand: async (user, channel, text, command = '/roundtable') => {
      const workspace = ofChannel(channel);
      const responseUrlId = randomId('R', 16);
      server.responseUrls.set(responseUrlId, { remaining: 5, channel, user: user.id, workspace });
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
      const workspace = ofChannel(channel);
      const message = workspace.findMessage(channel, messageTs);
      if (!message) throw new Error(`no message ${messageTs} in ${channel}`);
      const button = findButton(message.blocks ?? [], actionId);
      if (!button) throw new Error(`no button ${actionId} in message ${messageTs}`);
      const responseUrlId = randomId('R', 16);
      server.responseUrls.set(responseUrlId, { remaining: 5, channel, user: user.id, workspace, ...(message.threadTs ? { threadTs: message.threadTs } : {}) });
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
      const workspace = ofUser(user.id);
      const shown = workspace.ephemerals.filter((ephemeral) => ephemeral.user === user.id)[index];
      if (!shown) throw new Error(`no ephemeral ${index} for ${user.id}`);
      const button = findButton(shown.blocks ?? [], actionId);
      if (!button) throw new Error(`no button ${actionId} in ephemeral ${index}`);
      const responseUrlId = randomId('R', 16);
      server.responseUrls.set(responseUrlId, { remaining: 5, channel: shown.channel, user: user.id, workspace, ...(shown.threadTs ? { threadTs: shown.threadTs } : {}) });
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
      const workspace = ofUser(user.id);
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
    openViews: (userId) => workspaces.flatMap((each) => [...each.views.values()]).filter((view) => userId === undefined || view.userId === userId),
    thread: (channel, threadTs) => ofChannel(channel).thread(channel, threadTs),
    ephemeralsFor: (userId) => ofUser(userId).ephemerals.filter((ephemeral) => ephemeral.user === userId),
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
