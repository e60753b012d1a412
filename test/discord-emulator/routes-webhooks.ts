/**
 * Webhooks: create / list on a channel (15 per channel, error 30007) with an optional avatar
 * data URI (hashed and served from the CDN at `/avatars/{webhook id}/{hash}.png`), execute with
 * `wait` and `thread_id` and per-message `username` / `avatar_url`, get / edit / delete their
 * messages. Execute and edit count against the webhook's bucket and the hidden per-channel bucket.
 * `components` follow Discord's webhook rules (components.ts): all of them for application-owned
 * webhooks, otherwise only non-interactive ones and only with `with_components=true`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { nextSnowflake } from './snowflake.ts';
import { webhookJson, type JsonObject, type WebhookRecord } from './emulator-state.ts';
import { DiscordApiError, errors, noContent, ok, stringField, type RateLimitPlan, type Route, type RouteRequest } from './http-kit.ts';
import { createMessage, editMessage } from './message-factory.ts';
import { channelOrThrow, ensureWritable, messageOrThrow, requireBotPermissions, webhookOrThrow } from './route-helpers.ts';
import { interactionWebhookRoutes } from './routes-interactions.ts';
import { webhookComponents } from './components.ts';
import type { EmulatorContext } from './emulator-context.ts';

const id = '(\\d+)';
const token = '([A-Za-z0-9_.-]+)';
const forbiddenName = /discord|clyde/i;

const avatarDataUri = /^data:(image\/(?:png|jpeg|gif|webp));base64,([A-Za-z0-9+/]+={0,2})$/;

/**
 * A webhook avatar from its `data:image/…;base64,…` URI: Discord stores the picture and names it
 * by a hash of its content (32 hex characters), which is what appears in the webhook's `avatar`.
 */
function storeAvatar(context: EmulatorContext, webhookId: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const match = typeof value === 'string' ? avatarDataUri.exec(value) : null;
  const bytes = match?.[2] ? Buffer.from(match[2], 'base64') : undefined;
  if (!match?.[1] || !bytes || bytes.length === 0) throw errors.invalidForm('avatar', 'Invalid image data');
  if (bytes.length > 10 * 1024 * 1024) throw errors.invalidForm('avatar', 'File cannot be larger than 10240.0 kb.');
  const hash = createHash('md5').update(bytes).digest('hex');
  context.state.blobs.set(`avatars/${webhookId}/${hash}.png`, { bytes, contentType: match[1] });
  return hash;
}

function validateName(name: string, field: string): void {
  if (name.length < 1 || name.length > 80) throw errors.invalidForm(field, 'Must be between 1 and 80 in length.');
  if (forbiddenName.test(name)) throw errors.invalidForm(field, 'Username cannot contain "discord" or "clyde".');
  if (['everyone', 'here'].includes(name.trim().toLowerCase())) throw errors.invalidForm(field, 'Username is not allowed.');
}

export function webhookRoutes(context: EmulatorContext): Route[] {
  const { state } = context;
  const isApplication = (request: RouteRequest) => request.params[0] === state.applicationId;
  const webhookLimits = (request: RouteRequest): RateLimitPlan | undefined => {
    if (isApplication(request)) return undefined;
    const webhook = state.webhooks.get(request.params[0] ?? '');
    if (!webhook) return undefined;
    return {
      bucket: { key: `webhook:${webhook.id}`, ...context.limits.webhook },
      shared: { key: `channel-webhooks:${webhook.channelId}`, ...context.limits.channelWebhooks },
    };
  };
  const interaction = interactionWebhookRoutes(context);

  const threadFor = (webhook: WebhookRecord, query: URLSearchParams) => {
    const threadId = query.get('thread_id');
    if (!threadId) return channelOrThrow(context, webhook.channelId);
    const thread = channelOrThrow(context, threadId);
    if (thread.parentId !== webhook.channelId) throw new DiscordApiError(400, 220001, 'Webhook can only be used with threads in its channel');
    return thread;
  };

  return [
    {
      method: 'GET',
      pattern: new RegExp(`^/channels/${id}/webhooks$`),
      auth: true,
      handle: ({ params }) => {
        const channel = channelOrThrow(context, params[0]);
        requireBotPermissions(context, channel, 'ManageWebhooks');
        return ok([...state.webhooks.values()].filter((webhook) => webhook.channelId === channel.id).map((webhook) => webhookJson(webhook, state, true)));
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/guilds/${id}/webhooks$`),
      auth: true,
      handle: ({ params }) => ok([...state.webhooks.values()].filter((webhook) => webhook.guildId === params[0]).map((webhook) => webhookJson(webhook, state, true))),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/channels/${id}/webhooks$`),
      auth: true,
      handle: ({ params, body }) => {
        const channel = channelOrThrow(context, params[0]);
        if (channel.type !== 0) throw new DiscordApiError(400, 50024, 'Cannot execute action on this channel type');
        requireBotPermissions(context, channel, 'ManageWebhooks');
        const name = stringField(body.json, 'name') ?? '';
        validateName(name, 'name');
        const existing = [...state.webhooks.values()].filter((webhook) => webhook.channelId === channel.id);
        if (existing.length >= 15) throw errors.maxWebhooks();
        const webhookId = nextSnowflake();
        const webhook: WebhookRecord = {
          id: webhookId,
          token: randomBytes(34).toString('base64url'),
          channelId: channel.id,
          guildId: channel.guildId,
          name,
          avatar: storeAvatar(context, webhookId, body.json.avatar),
          creatorId: state.botUser.id,
          applicationId: state.applicationId,
        };
        state.webhooks.set(webhook.id, webhook);
        return ok(webhookJson(webhook, state, true));
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/webhooks/${id}$`),
      auth: true,
      handle: ({ params }) => ok(webhookJson(webhookOrThrow(context, params[0]), state, true)),
    },
    {
      method: 'DELETE',
      pattern: new RegExp(`^/webhooks/${id}$`),
      auth: true,
      handle: ({ params }) => {
        state.webhooks.delete(webhookOrThrow(context, params[0]).id);
        return noContent();
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/webhooks/${id}/${token}$`),
      auth: false,
      handle: ({ params }) => ok(webhookJson(webhookOrThrow(context, params[0], params[1]), state, false)),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/webhooks/${id}/${token}$`),
      auth: false,
      rateLimit: webhookLimits,
      handle: (request) => {
        if (isApplication(request)) return interaction.followUp(request);
        const { params, body, query } = request;
        const webhook = webhookOrThrow(context, params[0], params[1]);
        const target = threadFor(webhook, query);
        ensureWritable(target, context);
        const content = stringField(body.json, 'content') ?? '';
        if (content.length > 2000) throw errors.invalidForm('content', 'Must be 2000 or fewer in length.');
        const components = webhookComponents(body.json, query, webhook.applicationId !== null);
        if (!content && body.files.length === 0 && !Array.isArray(body.json.embeds) && !components?.length) throw new DiscordApiError(400, 50006, 'Cannot send an empty message');
        const username = stringField(body.json, 'username') ?? webhook.name;
        validateName(username, 'username');
        const avatarUrl = stringField(body.json, 'avatar_url');
        const record = createMessage(context, {
          channelId: target.id,
          author: { webhookId: webhook.id, username, ...(avatarUrl ? { avatarUrl } : {}) },
          content,
          allowedMentions: body.json.allowed_mentions as JsonObject | undefined,
          files: body.files,
          attachmentMeta: body.json.attachments,
          components,
          embeds: body.json.embeds,
          ...(webhook.applicationId ? { applicationId: webhook.applicationId } : {}),
        });
        return query.get('wait') === 'true' ? ok(record.json) : noContent();
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/webhooks/${id}/${token}/messages/(\\d+|@original)$`),
      auth: false,
      handle: (request) => {
        if (isApplication(request)) return interaction.getMessage(request);
        const webhook = webhookOrThrow(context, request.params[0], request.params[1]);
        const target = threadFor(webhook, request.query);
        return ok(messageOrThrow(context, target.id, request.params[2]).json);
      },
    },
    {
      method: 'PATCH',
      pattern: new RegExp(`^/webhooks/${id}/${token}/messages/(\\d+|@original)$`),
      auth: false,
      rateLimit: webhookLimits,
      handle: (request) => {
        if (isApplication(request)) return interaction.editMessage(request);
        const { params, body, query } = request;
        const webhook = webhookOrThrow(context, params[0], params[1]);
        const target = threadFor(webhook, query);
        const message = messageOrThrow(context, target.id, params[2]);
        if (message.json.webhook_id !== webhook.id) throw new DiscordApiError(403, 50005, 'Cannot edit a message authored by another user');
        ensureWritable(target, context);
        const content = stringField(body.json, 'content');
        if (content !== undefined && content.length > 2000) throw errors.invalidForm('content', 'Must be 2000 or fewer in length.');
        const components = webhookComponents(body.json, query, webhook.applicationId !== null);
        const edit: JsonObject = { ...body.json };
        if (components === undefined) delete edit.components;
        else edit.components = components;
        return ok(editMessage(context, message, edit, body.files).json);
      },
    },
    {
      method: 'DELETE',
      pattern: new RegExp(`^/webhooks/${id}/${token}/messages/(\\d+|@original)$`),
      auth: false,
      handle: (request) => {
        if (isApplication(request)) return interaction.deleteMessage(request);
        const webhook = webhookOrThrow(context, request.params[0], request.params[1]);
        const target = threadFor(webhook, request.query);
        messageOrThrow(context, target.id, request.params[2]).deleted = true;
        return noContent();
      },
    },
  ];
}
