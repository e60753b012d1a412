/** Channels, messages, threads and typing: `/channels/...`. */
import { nextSnowflake } from './snowflake.ts';
import { channelJson, type ChannelRecord, type JsonObject } from './emulator-state.ts';
import { DiscordApiError, errors, noContent, ok, stringField, type Route } from './http-kit.ts';
import { createMessage, editMessage } from './message-factory.ts';
import { validateMessageComponents } from './components.ts';
import { channelOrThrow, ensureWritable, messageOrThrow, requireBotPermissions } from './route-helpers.ts';
import { Permission } from './permissions.ts';
import type { EmulatorContext } from './emulator-context.ts';

const id = '(\\d+)';

export function channelRoutes(context: EmulatorContext): Route[] {
  const { state } = context;
  const messageBucket = (channelId: string | undefined) => ({
    bucket: { key: `channel-messages:${channelId}`, ...context.limits.channelMessages },
  });
  return [
    {
      method: 'GET',
      pattern: new RegExp(`^/channels/${id}$`),
      auth: true,
      handle: ({ params }) => {
        const channel = channelOrThrow(context, params[0]);
        requireBotPermissions(context, channel);
        return ok(channelJson(channel));
      },
    },
    {
      method: 'PATCH',
      pattern: new RegExp(`^/channels/${id}$`),
      auth: true,
      handle: ({ params, body }) => {
        const channel = channelOrThrow(context, params[0]);
        const { json } = body;
        const permissions = state.permissionsOf(state.botUser.id, channel);
        const manages = (permissions & Permission.ManageThreads) !== 0n;
        if (channel.type === 11) {
          const ownsThread = channel.ownerId === state.botUser.id;
          if (json.locked !== undefined && !manages) throw errors.missingPermissions();
          if ((json.archived !== undefined || json.name !== undefined) && !manages && !ownsThread) throw errors.missingPermissions();
          if (typeof json.archived === 'boolean') channel.archived = json.archived;
          if (typeof json.locked === 'boolean') channel.locked = json.locked;
        } else if ((permissions & Permission.ManageChannels) === 0n) {
          throw errors.missingPermissions();
        }
        const name = stringField(json, 'name');
        if (name) channel.name = name.slice(0, 100);
        const payload = channelJson(channel);
        context.gateway.dispatch(channel.type === 11 ? 'THREAD_UPDATE' : 'CHANNEL_UPDATE', payload);
        return ok(payload);
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/channels/${id}/messages$`),
      auth: true,
      handle: ({ params, query }) => {
        const channel = channelOrThrow(context, params[0]);
        requireBotPermissions(context, channel, 'ReadMessageHistory');
        const limit = Math.min(100, Number(query.get('limit') ?? 50));
        const messages = state.channelMessages(channel.id).filter((message) => !message.ephemeral);
        return ok(messages.slice(-limit).reverse().map((message) => message.json));
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/channels/${id}/messages/${id}$`),
      auth: true,
      handle: ({ params }) => {
        const channel = channelOrThrow(context, params[0]);
        requireBotPermissions(context, channel, 'ReadMessageHistory');
        return ok(messageOrThrow(context, channel.id, params[1]).json);
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/channels/${id}/messages$`),
      auth: true,
      rateLimit: ({ params }) => messageBucket(params[0]),
      handle: async ({ params, body }) => {
        const channel = channelOrThrow(context, params[0]);
        requireBotPermissions(context, channel, channel.type === 11 ? 'SendMessagesInThreads' : 'SendMessages');
        if (body.files.length > 0) requireBotPermissions(context, channel, 'AttachFiles');
        ensureWritable(channel, context);
        const content = stringField(body.json, 'content') ?? '';
        if (content.length > 2000) throw errors.invalidForm('content', 'Must be 2000 or fewer in length.');
        if (!content && body.files.length === 0 && !Array.isArray(body.json.embeds) && !Array.isArray(body.json.components)) {
          throw new DiscordApiError(400, 50006, 'Cannot send an empty message');
        }
        const reference = body.json.message_reference as JsonObject | undefined;
        const repliedId = typeof reference?.message_id === 'string' ? reference.message_id : undefined;
        const replied = repliedId ? state.messages.get(repliedId) : undefined;
        const replyTo = replied && !replied.deleted && replied.channelId === channel.id ? repliedId : undefined;
        if (repliedId && !replyTo && reference?.fail_if_not_exists !== false) throw errors.invalidForm('message_reference', 'Unknown message');
        const record = createMessage(context, {
          channelId: channel.id,
          author: state.botUser,
          content,
          allowedMentions: body.json.allowed_mentions as JsonObject | undefined,
          files: body.files,
          attachmentMeta: body.json.attachments,
          components: body.json.components === undefined ? undefined : validateMessageComponents(body.json.components),
          embeds: body.json.embeds,
          applicationId: state.applicationId,
          ...(replyTo ? { replyTo } : {}),
        });
        for (const listener of context.hooks.messageCreated) await listener(record);
        return ok(record.json);
      },
    },
    {
      method: 'PATCH',
      pattern: new RegExp(`^/channels/${id}/messages/${id}$`),
      auth: true,
      rateLimit: ({ params }) => messageBucket(params[0]),
      handle: ({ params, body }) => {
        const channel = channelOrThrow(context, params[0]);
        const message = messageOrThrow(context, channel.id, params[1]);
        if ((message.json.author as JsonObject).id !== state.botUser.id) throw new DiscordApiError(403, 50005, 'Cannot edit a message authored by another user');
        ensureWritable(channel, context);
        const content = stringField(body.json, 'content');
        if (content !== undefined && content.length > 2000) throw errors.invalidForm('content', 'Must be 2000 or fewer in length.');
        const edit: JsonObject = Array.isArray(body.json.components) ? { ...body.json, components: validateMessageComponents(body.json.components) } : body.json;
        return ok(editMessage(context, message, edit, body.files).json);
      },
    },
    {
      method: 'DELETE',
      pattern: new RegExp(`^/channels/${id}/messages/${id}$`),
      auth: true,
      handle: ({ params }) => {
        const channel = channelOrThrow(context, params[0]);
        const message = messageOrThrow(context, channel.id, params[1]);
        message.deleted = true;
        context.gateway.dispatch('MESSAGE_DELETE', { id: message.json.id, channel_id: channel.id, guild_id: channel.guildId });
        return noContent();
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/channels/${id}/typing$`),
      auth: true,
      handle: ({ params }) => {
        const channel = channelOrThrow(context, params[0]);
        requireBotPermissions(context, channel);
        context.stats.typing.push({ channelId: channel.id, at: Date.now() });
        return noContent();
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/channels/${id}/messages/${id}/threads$`),
      auth: true,
      handle: async ({ params, body }) => {
        const parent = channelOrThrow(context, params[0]);
        const message = messageOrThrow(context, parent.id, params[1]);
        if (parent.type !== 0) throw new DiscordApiError(400, 50024, 'Cannot execute action on this channel type');
        requireBotPermissions(context, parent, 'CreatePublicThreads', 'ReadMessageHistory');
        if (message.json.thread) throw errors.threadExists();
        const name = stringField(body.json, 'name') ?? '';
        if (name.length < 1 || name.length > 100) throw errors.invalidForm('name', 'Must be between 1 and 100 in length.');
        const thread = openThread(context, parent, name, message.json.id as string, body.json.auto_archive_duration);
        message.json.thread = channelJson(thread);
        for (const listener of context.hooks.threadCreated) await listener(thread);
        return ok(channelJson(thread), 201);
      },
    },
  ];
}

export function openThread(context: EmulatorContext, parent: ChannelRecord, name: string, id: string, autoArchive: unknown): ChannelRecord {
  const thread: ChannelRecord = {
    id: id || nextSnowflake(),
    type: 11,
    guildId: parent.guildId,
    name,
    parentId: parent.id,
    ownerId: context.state.botUser.id,
    overwrites: [],
    archived: false,
    locked: false,
    autoArchiveDuration: typeof autoArchive === 'number' ? autoArchive : 1440,
    createdAt: new Date().toISOString(),
    lastMessageId: null,
    messageCount: 0,
  };
  context.state.channels.set(thread.id, thread);
  context.gateway.dispatch('THREAD_CREATE', { ...channelJson(thread), newly_created: true });
  return thread;
}
