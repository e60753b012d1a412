/**
 * The Web API methods the bot calls, with Slack's response shapes: `{ok: true, ...}` or
 * `{ok: false, error}` (HTTP 200 either way; 429 + Retry-After for rate limits, handled by the
 * server before a method runs).
 */
import { randomId, fileObject, threadKey, type EmulatedMessage, type Workspace } from './workspace.ts';
import { openView } from './views.ts';
import { chartBlockErrors } from './chart-blocks.ts';

export type MethodArgs = Record<string, unknown>;
export type MethodResult = Record<string, unknown> & { ok: boolean };

export interface MethodContext {
  workspace: Workspace;
  baseUrl: string;
  /** The token the call was authorised with. */
  token: string;
  /** Called for every message the bot creates (the emulator echoes it as a message event from its workspace). */
  onBotMessage(message: EmulatedMessage, workspace: Workspace): void;
}

type Handler = (args: MethodArgs, context: MethodContext) => MethodResult;

const failure = (error: string, extra: Record<string, unknown> = {}): MethodResult => ({ ok: false, error, ...extra });
/** Slack's answer to a call that lacks a required argument. */
const missing = (name: string): MethodResult => failure('invalid_arguments', { response_metadata: { messages: [`[ERROR] missing required field: ${name}`] } });
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function parseJsonArgument(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

/** The message object Slack returns and sends in events for a bot post. */
export function messageObject(message: EmulatedMessage, workspace: Workspace): Record<string, unknown> {
  return {
    type: 'message',
    ...(message.subtype ? { subtype: message.subtype } : {}),
    text: message.text,
    ts: message.ts,
    ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
    ...(message.user ? { user: message.user } : {}),
    ...(message.botId ? { bot_id: message.botId, app_id: message.appId, bot_profile: { id: message.botId, app_id: message.appId, name: workspace.botName, team_id: workspace.teamId } } : {}),
    ...(message.username ? { username: message.username } : {}),
    ...(message.iconUrl || message.iconEmoji ? { icons: { ...(message.iconUrl ? { image_48: message.iconUrl } : {}), ...(message.iconEmoji ? { emoji: message.iconEmoji } : {}) } } : {}),
    ...(message.blocks ? { blocks: message.blocks } : {}),
    team: workspace.teamId,
  };
}

function requireChannel(args: MethodArgs, context: MethodContext): string | MethodResult {
  const channel = text(args.channel) ?? text(args.channel_id);
  if (!channel) return failure('channel_not_found');
  if (!context.workspace.channels.has(channel)) return failure('channel_not_found');
  return channel;
}

function validateContent(args: MethodArgs, workspace: Workspace): { text: string; blocks?: unknown[] } | MethodResult {
  const blocks = args.blocks === undefined ? undefined : parseJsonArgument(args.blocks);
  if (blocks !== undefined && !Array.isArray(blocks)) return failure('invalid_blocks');
  if (Array.isArray(blocks) && blocks.length > 50) return failure('invalid_blocks', { errors: ['no more than 50 items allowed [json-pointer:/blocks]'] });
  const chartErrors = Array.isArray(blocks) ? chartBlockErrors(blocks, workspace.chartBlocks) : [];
  if (chartErrors.length) return failure('invalid_blocks', { errors: chartErrors, response_metadata: { messages: chartErrors } });
  const messageText = text(args.text) ?? text(args.markdown_text);
  if (!messageText && !blocks) return failure('no_text');
  if (messageText && messageText.length > 40_000) return failure('msg_too_long');
  return { text: messageText ?? '', ...(blocks ? { blocks } : {}) };
}

function botMessage(context: MethodContext, fields: Omit<EmulatedMessage, 'ts' | 'edits' | 'history' | 'botId' | 'appId'>): EmulatedMessage {
  const { workspace } = context;
  const customised = fields.username !== undefined || fields.iconUrl !== undefined || fields.iconEmoji !== undefined;
  const message: EmulatedMessage = {
    ...fields,
    ts: workspace.nextTs(),
    botId: workspace.botId,
    appId: workspace.appId,
    // Slack marks posts with a customised identity as `bot_message` (no `user`).
    ...(customised ? { subtype: 'bot_message' } : { user: workspace.botUserId }),
    edits: 0,
    history: [fields.text],
  };
  workspace.messages.push(message);
  // The app answered in the thread: Slack takes the thread's status ("is writing…") away.
  if (message.threadTs) workspace.currentThreadStatus.delete(threadKey(message.channel, message.threadTs));
  context.onBotMessage(message, workspace);
  return message;
}

function identity(args: MethodArgs): Pick<EmulatedMessage, 'username' | 'iconUrl' | 'iconEmoji'> {
  return {
    ...(text(args.username) ? { username: text(args.username) } : {}),
    ...(text(args.icon_url) ? { iconUrl: text(args.icon_url) } : {}),
    ...(text(args.icon_emoji) ? { iconEmoji: text(args.icon_emoji) } : {}),
  };
}

const handlers: Record<string, Handler> = {
  'api.test': (args) => ({ ok: true, args }),

  'auth.test': (_args, { workspace, baseUrl }) => ({
    ok: true,
    url: `${baseUrl}/`,
    team: workspace.teamDomain,
    user: workspace.botName,
    team_id: workspace.teamId,
    user_id: workspace.botUserId,
    bot_id: workspace.botId,
    is_enterprise_install: false,
  }),

  'chat.postMessage': (args, context) => {
    const channel = requireChannel(args, context);
    if (typeof channel !== 'string') return channel;
    const content = validateContent(args, context.workspace);
    if ('ok' in content) return content;
    const threadTs = text(args.thread_ts);
    if (threadTs && !context.workspace.findMessage(channel, threadTs)) return failure('thread_not_found');
    const message = botMessage(context, { channel, ...(threadTs ? { threadTs } : {}), ...identity(args), ...content });
    return { ok: true, channel, ts: message.ts, message: messageObject(message, context.workspace) };
  },

  'chat.update': (args, context) => {
    const channel = requireChannel(args, context);
    if (typeof channel !== 'string') return channel;
    const message = context.workspace.findMessage(channel, text(args.ts) ?? '');
    if (!message) return failure('message_not_found');
    if (message.botId !== context.workspace.botId) return failure('cant_update_message');
    const content = validateContent(args, context.workspace);
    if ('ok' in content) return content;
    message.text = content.text;
    if (content.blocks) message.blocks = content.blocks;
    else if (args.blocks !== undefined) delete message.blocks;
    message.edits += 1;
    message.history.push(content.text);
    return { ok: true, channel, ts: message.ts, text: message.text, message: messageObject(message, context.workspace) };
  },

  'chat.postEphemeral': (args, context) => {
    const channel = requireChannel(args, context);
    if (typeof channel !== 'string') return channel;
    const user = text(args.user);
    if (!user || !context.workspace.users.has(user)) return failure('user_not_in_channel');
    const content = validateContent(args, context.workspace);
    if ('ok' in content) return content;
    const threadTs = text(args.thread_ts);
    context.workspace.ephemerals.push({ channel, user, ...(threadTs ? { threadTs } : {}), ...content, via: 'chat.postEphemeral' });
    return { ok: true, message_ts: context.workspace.nextTs() };
  },

  'chat.startStream': (args, context) => {
    const channel = requireChannel(args, context);
    if (typeof channel !== 'string') return channel;
    const threadTs = text(args.thread_ts);
    if (!threadTs || !context.workspace.findMessage(channel, threadTs)) return failure('invalid_arguments', { response_metadata: { messages: ['[ERROR] thread_ts is required'] } });
    // Streaming into a channel (not a DM) needs the recipient.
    if (!channel.startsWith('D') && (!text(args.recipient_user_id) || !text(args.recipient_team_id))) {
      return failure('invalid_arguments', { response_metadata: { messages: ['[ERROR] recipient_user_id and recipient_team_id are required in channels'] } });
    }
    const markdown = text(args.markdown_text) ?? '';
    if (markdown.length > 12_000) return failure('msg_too_long');
    const message = botMessage(context, { channel, threadTs, ...identity(args), text: markdown, streaming: 'open' });
    return { ok: true, channel, ts: message.ts };
  },

  'chat.appendStream': (args, context) => {
    const channel = requireChannel(args, context);
    if (typeof channel !== 'string') return channel;
    const message = context.workspace.findMessage(channel, text(args.ts) ?? '');
    if (!message) return failure('message_not_found');
    if (message.streaming !== 'open') return failure('message_not_in_streaming_state');
    const markdown = text(args.markdown_text);
    if (!markdown) return failure('invalid_arguments');
    if (message.text.length + markdown.length > 12_000) return failure('msg_too_long');
    message.text += markdown;
    message.edits += 1;
    message.history.push(message.text);
    return { ok: true, channel, ts: message.ts };
  },

  'chat.stopStream': (args, context) => {
    const channel = requireChannel(args, context);
    if (typeof channel !== 'string') return channel;
    const message = context.workspace.findMessage(channel, text(args.ts) ?? '');
    if (!message) return failure('message_not_found');
    if (message.streaming !== 'open') return failure('message_not_in_streaming_state');
    const markdown = text(args.markdown_text);
    if (markdown) message.text += markdown;
    const blocks = args.blocks === undefined ? undefined : parseJsonArgument(args.blocks);
    if (Array.isArray(blocks)) message.blocks = blocks;
    message.streaming = 'stopped';
    message.history.push(message.text);
    return { ok: true, channel, ts: message.ts, message: messageObject(message, context.workspace) };
  },

  // https://docs.slack.dev/reference/methods/usergroups.users.list: `users` is the member ids.
  'usergroups.users.list': (args, { workspace }) => {
    const members = workspace.userGroups.get(text(args.usergroup) ?? '');
    if (!members) return failure('no_such_subteam');
    return { ok: true, users: [...members] };
  },

  'users.info': (args, { workspace }) => {
    const user = workspace.users.get(text(args.user) ?? '');
    if (!user) return failure('user_not_found');
    return {
      ok: true,
      user: {
        id: user.id,
        team_id: workspace.teamId,
        name: user.name,
        deleted: false,
        real_name: user.realName,
        is_admin: user.isAdmin,
        is_owner: user.isOwner,
        is_primary_owner: user.isOwner,
        is_restricted: false,
        is_ultra_restricted: false,
        is_bot: user.isBot,
        is_app_user: false,
        profile: { real_name: user.realName, display_name: user.name, team: workspace.teamId },
      },
    };
  },

  // https://docs.slack.dev/reference/methods/files.getUploadURLExternal: the description is
  // `alt_txt`. Like any argument Slack does not know, `alt_text` (the SDK's type spells it so) is
  // ignored without an error: the file simply has no alt text.
  'files.getUploadURLExternal': (args, context) => {
    const filename = text(args.filename);
    const length = Number(args.length);
    if (!filename || !Number.isInteger(length) || length <= 0) return failure('invalid_arguments');
    const altText = text(args.alt_txt);
    const id = randomId('F');
    context.workspace.files.set(id, {
      id,
      name: filename,
      title: filename,
      mimetype: 'application/octet-stream',
      size: length,
      bytes: Buffer.alloc(0),
      user: context.workspace.botUserId,
      created: Math.floor(Date.now() / 1000),
      pendingLength: length,
      ...(altText ? { altText } : {}),
    });
    return { ok: true, upload_url: `${context.baseUrl}/upload/v1/${id}`, file_id: id };
  },

  // https://docs.slack.dev/reference/methods/assistant.threads.setStatus: required `channel_id`,
  // `thread_ts`, `status` (an empty status clears it); optional `loading_messages` (≤ 10),
  // `username`, `icon_url`, `icon_emoji`. Works in channel threads too (chat:write).
  'assistant.threads.setStatus': (args, context) => {
    const channel = text(args.channel_id);
    if (!channel) return missing('channel_id');
    if (!context.workspace.channels.has(channel)) return failure('channel_not_found');
    const threadTs = text(args.thread_ts);
    if (!threadTs) return missing('thread_ts');
    if (!context.workspace.findMessage(channel, threadTs)) return failure('invalid_thread_ts');
    const status = text(args.status);
    if (status === undefined) return missing('status');
    const loading = args.loading_messages === undefined ? undefined : parseJsonArgument(args.loading_messages);
    if (loading !== undefined && (!Array.isArray(loading) || loading.length > 10 || !loading.every((entry) => typeof entry === 'string'))) return failure('invalid_arguments');
    const key = threadKey(channel, threadTs);
    if (status === '') {
      context.workspace.currentThreadStatus.delete(key);
    } else {
      const shown = { channel, threadTs, status, ...(loading ? { loadingMessages: loading as string[] } : {}), ...identity(args), at: Date.now() };
      context.workspace.threadStatuses.push(shown);
      context.workspace.currentThreadStatus.set(key, shown);
    }
    return { ok: true };
  },

  'files.completeUploadExternal': (args, context) => {
    const entries = parseJsonArgument(args.files);
    if (!Array.isArray(entries) || entries.length === 0) return failure('invalid_arguments');
    const channel = text(args.channel_id);
    if (channel && !context.workspace.channels.has(channel)) return failure('channel_not_found');
    const threadTs = text(args.thread_ts);
    const files = [];
    for (const entry of entries as { id?: unknown; title?: unknown }[]) {
      const file = context.workspace.files.get(text(entry.id) ?? '');
      if (!file) return failure('file_not_found');
      if (file.pendingLength !== undefined) return failure('file_upload_not_completed');
      if (text(entry.title)) file.title = text(entry.title) ?? file.title;
      if (channel) file.channel = channel;
      if (threadTs) file.threadTs = threadTs;
      files.push(file);
    }
    if (channel) botMessage(context, { channel, ...(threadTs ? { threadTs } : {}), text: text(args.initial_comment) ?? '', files, subtype: 'file_share' });
    return { ok: true, files: files.map((file) => ({ id: file.id, title: file.title })) };
  },

  // https://api.slack.com/methods/conversations.replies: the parent first, then replies oldest
  // first; `oldest`/`latest` bound the ts (exclusive unless `inclusive`), `limit` ≤ 1000.
  'conversations.replies': (args, context) => {
    const channel = requireChannel(args, context);
    if (typeof channel !== 'string') return channel;
    const ts = text(args.ts);
    if (!ts || !context.workspace.findMessage(channel, ts)) return failure('thread_not_found');
    const inclusive = args.inclusive === true || args.inclusive === 'true' || args.inclusive === '1';
    const oldest = Number(text(args.oldest) ?? args.oldest ?? 0);
    const latest = Number(text(args.latest) ?? args.latest ?? Number.POSITIVE_INFINITY);
    const limit = Math.min(1_000, Math.max(1, Number(args.limit ?? 1_000)));
    const inRange = (value: string) => {
      const at = Number(value);
      return (inclusive ? at >= oldest : at > oldest) && (inclusive ? at <= latest : at < latest);
    };
    const thread = context.workspace.messages.filter((message) => message.channel === channel && (message.ts === ts || message.threadTs === ts));
    const selected = thread.filter((message) => message.ts === ts || inRange(message.ts)).slice(0, limit);
    return {
      ok: true,
      messages: selected.map((message) => ({
        ...messageObject(message, context.workspace),
        ...(message.files ? { files: message.files.map((file) => fileObject(file, context.baseUrl, context.workspace.teamId)) } : {}),
      })),
      has_more: false,
      response_metadata: { next_cursor: '' },
    };
  },

  // https://docs.slack.dev/reference/methods/views.open: no scope; Tier 4. See views.ts.
  'views.open': (args, context) => openView(args, context.workspace),

  'files.info': (args, context) => {
    const file = context.workspace.files.get(text(args.file) ?? '');
    if (!file) return failure('file_not_found');
    return { ok: true, file: fileObject(file, context.baseUrl, context.workspace.teamId) };
  },
};

export function runMethod(method: string, args: MethodArgs, context: MethodContext): MethodResult {
  const handler = handlers[method];
  if (!handler) return failure('unknown_method');
  return handler(args, context);
}

export function isKnownMethod(method: string): boolean {
  return method in handlers || method === 'apps.connections.open';
}
