/**
 * Creating and editing messages the way Discord does: attachments stored and served from the
 * emulator's CDN path, mentions resolved under `allowed_mentions` (defaults parse everything,
 * on creates and on edits alike), MESSAGE_CREATE / MESSAGE_UPDATE dispatched. A reply (type 19)
 * carries `message_reference` (type 0, DEFAULT) and the replied-to message as `referenced_message`
 * (null once deleted), as Discord sends replies (resources/message.mdx).
 */
import { nextSnowflake } from './snowflake.ts';
import { memberJson, userJson, type JsonObject, type MessageRecord, type Pings, type UserRecord } from './emulator-state.ts';
import type { EmulatorContext } from './emulator-context.ts';
import type { UploadedFile } from './http-kit.ts';

export interface NewMessage {
  channelId: string;
  author: UserRecord | { webhookId: string; username: string; avatarUrl?: string };
  content: string;
  allowedMentions: JsonObject | undefined;
  files: UploadedFile[];
  /** `attachments` from payload_json: `{id, filename, description}` per uploaded file index. */
  attachmentMeta?: unknown;
  components?: unknown;
  embeds?: unknown;
  flags?: number;
  applicationId?: string;
  interaction?: { id: string; userId: string; type: number; name?: string };
  /** The id of the message this one replies to (same channel). */
  replyTo?: string;
  ephemeral?: boolean;
  dispatch?: boolean;
}

const everyonePattern = /@(everyone|here)\b/;

export function resolvePings(content: string, allowed: JsonObject | undefined): Pings {
  const parse = Array.isArray(allowed?.parse) ? (allowed.parse as unknown[]) : allowed ? [] : ['users', 'roles', 'everyone'];
  const explicitUsers = Array.isArray(allowed?.users) ? (allowed.users as string[]) : [];
  const explicitRoles = Array.isArray(allowed?.roles) ? (allowed.roles as string[]) : [];
  const userIds = [...content.matchAll(/<@!?(\d+)>/g)].map((match) => match[1] ?? '');
  const roleIds = [...content.matchAll(/<@&(\d+)>/g)].map((match) => match[1] ?? '');
  return {
    everyone: parse.includes('everyone') && everyonePattern.test(content),
    users: userIds.filter((id) => parse.includes('users') || explicitUsers.includes(id)),
    roles: roleIds.filter((id) => parse.includes('roles') || explicitRoles.includes(id)),
  };
}

function mergePings(into: Pings, more: Pings): void {
  into.everyone ||= more.everyone;
  for (const id of more.users) if (!into.users.includes(id)) into.users.push(id);
  for (const id of more.roles) if (!into.roles.includes(id)) into.roles.push(id);
}

export function storeAttachments(context: EmulatorContext, channelId: string, files: UploadedFile[], meta: unknown): JsonObject[] {
  const described = Array.isArray(meta) ? (meta as JsonObject[]) : [];
  return files.map((file) => {
    const id = nextSnowflake();
    const info = described.find((entry) => String(entry.id) === String(file.index));
    const filename = (typeof info?.filename === 'string' ? info.filename : file.filename).replace(/[^\w.-]/g, '_');
    const url = `${context.baseUrl()}/cdn/attachments/${channelId}/${id}/${filename}`;
    context.state.blobs.set(`${channelId}/${id}/${filename}`, { bytes: file.bytes, contentType: file.contentType });
    return {
      id,
      filename,
      size: file.bytes.length,
      url,
      proxy_url: url,
      content_type: file.contentType,
      ...(typeof info?.description === 'string' ? { description: info.description } : {}),
    };
  });
}

export function createMessage(context: EmulatorContext, input: NewMessage): MessageRecord {
  const { state } = context;
  const channel = state.channels.get(input.channelId);
  if (!channel) throw new Error(`no channel ${input.channelId}`);
  const id = nextSnowflake();
  const isWebhook = 'webhookId' in input.author;
  const authorJson = isWebhook
    ? { id: (input.author as { webhookId: string }).webhookId, username: (input.author as { username: string }).username, avatar: null, discriminator: '0000', bot: true, global_name: null }
    : userJson(input.author as UserRecord);
  const pings = resolvePings(input.content, input.allowedMentions);
  const member = !isWebhook ? state.guildOf(channel).members.get((input.author as UserRecord).id) : undefined;
  const replied = input.replyTo ? state.messages.get(input.replyTo) : undefined;
  const json: JsonObject = {
    id,
    type: input.interaction ? 20 : input.replyTo ? 19 : 0,
    channel_id: channel.id,
    guild_id: channel.guildId,
    author: authorJson,
    content: input.content,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: pings.everyone,
    mentions: pings.users.map((userId) => state.users.get(userId)).filter((user) => user !== undefined).map(userJson),
    mention_roles: pings.roles,
    attachments: storeAttachments(context, channel.id, input.files, input.attachmentMeta),
    embeds: Array.isArray(input.embeds) ? input.embeds : [],
    components: Array.isArray(input.components) ? input.components : [],
    pinned: false,
    flags: input.flags ?? 0,
    ...(isWebhook ? { webhook_id: (input.author as { webhookId: string }).webhookId } : {}),
    ...(input.replyTo
      ? {
          message_reference: { type: 0, message_id: input.replyTo, channel_id: channel.id, guild_id: channel.guildId },
          referenced_message: replied && !replied.deleted ? { ...replied.json } : null,
        }
      : {}),
    ...(input.applicationId ? { application_id: input.applicationId } : {}),
    ...(input.interaction
      ? {
          interaction_metadata: {
            id: input.interaction.id,
            type: input.interaction.type,
            user: userJson(state.users.get(input.interaction.userId) ?? state.botUser),
            authorizing_integration_owners: { '0': channel.guildId },
          },
        }
      : {}),
  };
  const record: MessageRecord = {
    json,
    channelId: channel.id,
    allowedMentionsHistory: [input.allowedMentions],
    pings,
    edits: [],
    ephemeral: input.ephemeral ?? false,
    deleted: false,
    ...(isWebhook ? { webhookUsername: (input.author as { username: string }).username } : {}),
    ...(isWebhook && (input.author as { avatarUrl?: string }).avatarUrl ? { avatarUrl: (input.author as { avatarUrl?: string }).avatarUrl } : {}),
  };
  state.messages.set(id, record);
  if (!record.ephemeral) {
    channel.lastMessageId = id;
    channel.messageCount += 1;
  }
  if (input.dispatch !== false && !record.ephemeral) {
    const mentionsBot = pings.users.includes(state.botUser.id) || (isWebhook ? false : (input.author as UserRecord).id === state.botUser.id);
    const payload = member ? { ...json, member: memberJson(member) } : json;
    context.gateway.dispatch('MESSAGE_CREATE', payload, { messageContentFor: { mentionsBot } });
  }
  return record;
}

export function editMessage(
  context: EmulatorContext,
  record: MessageRecord,
  body: JsonObject,
  files: UploadedFile[],
): MessageRecord {
  const allowed = body.allowed_mentions as JsonObject | undefined;
  record.allowedMentionsHistory.push(allowed);
  if (typeof body.content === 'string') {
    record.json.content = body.content;
    record.edits.push({ content: body.content, at: Date.now() });
    mergePings(record.pings, resolvePings(body.content, allowed));
  }
  if (body.components !== undefined) record.json.components = Array.isArray(body.components) ? body.components : [];
  if (body.embeds !== undefined) record.json.embeds = Array.isArray(body.embeds) ? body.embeds : [];
  if (typeof body.flags === 'number') record.json.flags = body.flags;
  if (files.length > 0 || Array.isArray(body.attachments)) {
    const kept = Array.isArray(body.attachments)
      ? (record.json.attachments as JsonObject[]).filter((attachment) => (body.attachments as JsonObject[]).some((entry) => String(entry.id) === String(attachment.id)))
      : (record.json.attachments as JsonObject[]);
    record.json.attachments = [...kept, ...storeAttachments(context, record.channelId, files, body.attachments)];
  }
  record.json.edited_timestamp = new Date().toISOString();
  if (!record.ephemeral) context.gateway.dispatch('MESSAGE_UPDATE', { ...record.json });
  return record;
}
