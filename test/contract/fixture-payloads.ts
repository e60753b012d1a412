/**
 * The platforms' published payload examples (fixtures/slack, fixtures/discord; where each came
 * from is in the folder's SOURCE.md), loaded and given the emulated workspace's or guild's
 * identifiers so the real app can act on them. Only the fields listed here change; every other
 * field keeps its published value and shape.
 *
 * Hazard — what the Slack samples are: java-slack-sdk's `json-logs/samples` hold, per payload
 * type, the union of every field its integration tests saw Slack send, with every value blanked
 * (`""`, `123`, `false`). So a filled-in sample still carries fields a real event of that kind
 * may lack — an empty `bot_id` and a `bot_profile` on a person's message, `edited` on a mention,
 * thumbnails with empty URLs — which is the lenience our parsers must have. Blank placeholders of
 * fields not listed below stay blank.
 *
 * Substituted, Slack:
 * - Events API envelope: `team_id`, `api_app_id`, `authorizations[].team_id` / `.user_id` (the
 *   bot user), `authed_users`, `authed_teams`, `event_id` (fresh, so deduplication sees a new
 *   event), `event_time` (now).
 * - The event, and its nested `message` / `previous_message`, each key only where the sample has
 *   it: `channel`, `user`, `team` / `user_team` / `source_team`, `ts` / `event_ts` / `deleted_ts`,
 *   `thread_ts` and `parent_user_id` (only when the test places the message in a thread), `text`
 *   (the test's words), `bot_id` (the bot-message sample only: whose bot posted).
 * - `files[i]`: the fields the emulator's file record defines (`fileObject`: id, name, title,
 *   mimetype, filetype, size, user, url_private, url_private_download, permalink, timestamps …),
 *   because the app downloads that file; thumbnails, shares and previews stay as published.
 * - Slash command: `team_id`, `team_domain`, `api_app_id`, `channel_id`, `channel_name`,
 *   `user_id`, `user_name`, `command`, `text`, `response_url`, `trigger_id`.
 * - block_actions: `api_app_id`, `user`, `team`, `channel` ids and names, `container` ids and ts,
 *   `message` ts / thread_ts, `response_url`, `trigger_id`, and `actions[0]`'s `action_id`,
 *   `block_id`, `value`, `action_ts` — the button's own ids, which the app defines.
 * - One field that is not an identifier: the app_mention sample's `subtype` is removed. The sample
 *   has the key (some mention the SDK's tests saw carried a subtype) with its value blanked to
 *   `""`, which Slack never sends; a person's mention has no subtype.
 *
 * Substituted, Discord:
 * - Example Message, delivered as MESSAGE_CREATE: `id`, `channel_id`, `author.id`, `timestamp`,
 *   `content` and, in step with it, `mentions` (the users the content mentions). Added: the
 *   documented MESSAGE_CREATE extra fields `guild_id` and `member` (the example is a message
 *   object; the gateway adds them for guild messages; `member` is absent for webhooks), and
 *   `webhook_id` for a message posted through a webhook.
 * - Example Interaction (slash command): `id` and `token` (of an interaction the emulator knows,
 *   so the bot's callback is accepted), `guild_id`, `channel_id`, `member.user.id` /
 *   `.username`, `member.roles`, and `data.id` / `.name` / `.options` — our command's, which the
 *   app defines (the example's `/cardsearch` is someone else's).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type JsonObject = Record<string, unknown>;

const fixturesDir = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** A fresh deep copy of a fixture, exactly as published. */
export function loadFixture(platform: 'slack' | 'discord', file: string): JsonObject {
  return JSON.parse(readFileSync(`${fixturesDir}${platform}/${file}`, 'utf8')) as JsonObject;
}

function objectAt(parent: JsonObject, key: string): JsonObject {
  const value = parent[key];
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`the fixture has no object "${key}"`);
  return value as JsonObject;
}

/** Sets `key` only where the published object has it: the shape stays as published. */
function replaceIfPresent(target: JsonObject, key: string, value: unknown): void {
  if (key in target) target[key] = value;
}

// ---- Slack ----

/** The emulated workspace's identifiers. */
export interface SlackWorld {
  teamId: string;
  teamDomain: string;
  appId: string;
  botUserId: string;
}

/** Where and by whom a message was posted. */
export interface SlackPlacement {
  channel: string;
  /** The person (absent for the bot-message sample, which has no `user`). */
  user?: string;
  ts: string;
  /** The session thread; leave out for a top-level message (the published blank stays). */
  threadTs?: string;
  /** The thread parent's author, for `parent_user_id`. */
  parentUserId?: string;
  text: string;
}

let eventCounter = 0;

function fillEnvelope(payload: JsonObject, world: SlackWorld): JsonObject {
  payload.team_id = world.teamId;
  payload.api_app_id = world.appId;
  replaceIfPresent(payload, 'authed_users', [world.botUserId]);
  replaceIfPresent(payload, 'authed_teams', [world.teamId]);
  for (const authorization of (payload.authorizations as JsonObject[] | undefined) ?? []) {
    authorization.team_id = world.teamId;
    authorization.user_id = world.botUserId;
  }
  eventCounter += 1;
  payload.event_id = `EvFIXTURE${Date.now().toString(36).toUpperCase()}${eventCounter}`;
  payload.event_time = Math.floor(Date.now() / 1000);
  return payload;
}

function placeMessage(message: JsonObject, world: SlackWorld, placement: SlackPlacement): void {
  replaceIfPresent(message, 'channel', placement.channel);
  if (placement.user) replaceIfPresent(message, 'user', placement.user);
  for (const key of ['team', 'user_team', 'source_team']) replaceIfPresent(message, key, world.teamId);
  replaceIfPresent(message, 'ts', placement.ts);
  replaceIfPresent(message, 'event_ts', placement.ts);
  if (placement.threadTs) replaceIfPresent(message, 'thread_ts', placement.threadTs);
  if (placement.parentUserId) replaceIfPresent(message, 'parent_user_id', placement.parentUserId);
  replaceIfPresent(message, 'text', placement.text);
}

/** The app_mention sample (events/AppMentionPayload.json). */
export function slackAppMention(world: SlackWorld, placement: SlackPlacement): JsonObject {
  const payload = fillEnvelope(loadFixture('slack', 'app-mention-payload.json'), world);
  const event = objectAt(payload, 'event');
  placeMessage(event, world, placement);
  delete event.subtype; // see the header: a blanked placeholder, not a subtype Slack sends
  return payload;
}

/** The plain message sample (events/MessagePayload.json), here a reply in a thread. */
export function slackThreadReply(world: SlackWorld, placement: SlackPlacement): JsonObject {
  const payload = fillEnvelope(loadFixture('slack', 'message-payload.json'), world);
  placeMessage(objectAt(payload, 'event'), world, placement);
  return payload;
}

/** The file_share sample (events/MessageFileSharePayload.json), its file replaced by `file`. */
export function slackFileShare(world: SlackWorld, placement: SlackPlacement, file: JsonObject): JsonObject {
  const payload = fillEnvelope(loadFixture('slack', 'message-file-share-payload.json'), world);
  const event = objectAt(payload, 'event');
  placeMessage(event, world, placement);
  const files = event.files as JsonObject[];
  event.files = files.map((published) => ({ ...published, ...file }));
  return payload;
}

/** The bot_message sample (events/MessageBotPayload.json), posted by the bot `botId`. */
export function slackBotMessage(world: SlackWorld, placement: SlackPlacement, botId: string): JsonObject {
  const payload = fillEnvelope(loadFixture('slack', 'message-bot-payload.json'), world);
  const event = objectAt(payload, 'event');
  placeMessage(event, world, placement);
  event.bot_id = botId;
  return payload;
}

/**
 * The message_changed sample (events/MessageChangedPayload.json): the message at
 * `placement.ts` in the thread now reads `placement.text`, before it read `previousText`.
 * The event itself gets a fresh `eventTs` (Slack stamps the edit, not the message).
 */
export function slackMessageChanged(world: SlackWorld, placement: SlackPlacement, previousText: string, eventTs: string): JsonObject {
  const payload = fillEnvelope(loadFixture('slack', 'message-changed-payload.json'), world);
  const event = objectAt(payload, 'event');
  placeMessage(event, world, { ...placement, ts: eventTs });
  placeMessage(objectAt(event, 'message'), world, placement);
  placeMessage(objectAt(event, 'previous_message'), world, { ...placement, text: previousText });
  return payload;
}

/** The message_deleted sample (events/MessageDeletedPayload.json): the message at `placement.ts` is gone. */
export function slackMessageDeleted(world: SlackWorld, placement: SlackPlacement, eventTs: string): JsonObject {
  const payload = fillEnvelope(loadFixture('slack', 'message-deleted-payload.json'), world);
  const event = objectAt(payload, 'event');
  placeMessage(event, world, { ...placement, ts: eventTs });
  event.deleted_ts = placement.ts;
  placeMessage(objectAt(event, 'previous_message'), world, placement);
  return payload;
}

export interface SlashCommandFill {
  channel: { id: string; name: string };
  user: { id: string; name: string };
  command: string;
  text: string;
  responseUrl: string;
  triggerId: string;
}

/** The slash command sample (app-backend/slash-commands/SlashCommandPayload.json), form fields as strings. */
export function slackSlashCommand(world: SlackWorld, fill: SlashCommandFill): Record<string, string> {
  const payload = loadFixture('slack', 'slash-command-payload.json');
  Object.assign(payload, {
    team_id: world.teamId,
    team_domain: world.teamDomain,
    api_app_id: world.appId,
    channel_id: fill.channel.id,
    channel_name: fill.channel.name,
    user_id: fill.user.id,
    user_name: fill.user.name,
    command: fill.command,
    text: fill.text,
    response_url: fill.responseUrl,
    trigger_id: fill.triggerId,
  });
  // Slack posts a slash command form-encoded: every value arrives as a string.
  return Object.fromEntries(Object.entries(payload).map(([key, value]) => [key, String(value)]));
}

export interface BlockActionFill {
  channel: { id: string; name: string };
  user: { id: string; name: string };
  /** The message the button is on, and its thread. */
  messageTs: string;
  threadTs: string;
  actionId: string;
  blockId: string;
  value: string;
  responseUrl: string;
  triggerId: string;
}

/** The block_actions sample (app-backend/interactive-components/BlockActionPayload.json). */
export function slackBlockAction(world: SlackWorld, fill: BlockActionFill): JsonObject {
  const payload = loadFixture('slack', 'block-action-payload.json');
  payload.api_app_id = world.appId;
  Object.assign(objectAt(payload, 'user'), { id: fill.user.id, username: fill.user.name, name: fill.user.name, team_id: world.teamId });
  Object.assign(objectAt(payload, 'team'), { id: world.teamId, domain: world.teamDomain });
  Object.assign(objectAt(payload, 'channel'), { id: fill.channel.id, name: fill.channel.name });
  Object.assign(objectAt(payload, 'container'), { message_ts: fill.messageTs, channel_id: fill.channel.id, thread_ts: fill.threadTs });
  const message = objectAt(payload, 'message');
  placeMessage(message, world, { channel: fill.channel.id, ts: fill.messageTs, threadTs: fill.threadTs, text: String(message.text ?? '') });
  payload.response_url = fill.responseUrl;
  payload.trigger_id = fill.triggerId;
  const [action] = payload.actions as JsonObject[];
  if (!action) throw new Error('the block_actions fixture has no action');
  Object.assign(action, { action_id: fill.actionId, block_id: fill.blockId, value: fill.value, action_ts: `${Date.now() / 1000}` });
  return payload;
}

// ---- Discord ----

export interface DiscordMessageFill {
  id: string;
  channelId: string;
  guildId: string;
  /** `author.id`; the other author fields stay as published. */
  authorId: string;
  content: string;
  /** User objects of everyone `content` mentions. */
  mentions: JsonObject[];
  /** The author's guild member (MESSAGE_CREATE extra field); absent for webhook messages. */
  member?: JsonObject;
  webhookId?: string;
}

/** The docs' Example Message (resources/message.mdx) as a MESSAGE_CREATE dispatch. */
export function discordMessageCreate(fill: DiscordMessageFill): JsonObject {
  const message = loadFixture('discord', 'example-message.json');
  message.id = fill.id;
  message.channel_id = fill.channelId;
  objectAt(message, 'author').id = fill.authorId;
  message.timestamp = new Date().toISOString();
  message.content = fill.content;
  message.mentions = fill.mentions;
  message.guild_id = fill.guildId;
  if (fill.member) message.member = fill.member;
  if (fill.webhookId) message.webhook_id = fill.webhookId;
  return message;
}

export interface DiscordInteractionFill {
  id: string;
  token: string;
  guildId: string;
  channelId: string;
  user: { id: string; username: string };
  roles: string[];
  command: { id: string; name: string; options: JsonObject[] };
}

/** The docs' slash command Example Interaction (interactions/application-commands.mdx) as INTERACTION_CREATE. */
export function discordSlashInteraction(fill: DiscordInteractionFill): JsonObject {
  const interaction = loadFixture('discord', 'example-slash-command-interaction.json');
  interaction.id = fill.id;
  interaction.token = fill.token;
  interaction.guild_id = fill.guildId;
  interaction.channel_id = fill.channelId;
  const member = objectAt(interaction, 'member');
  Object.assign(objectAt(member, 'user'), { id: fill.user.id, username: fill.user.username });
  member.roles = fill.roles;
  Object.assign(objectAt(interaction, 'data'), { id: fill.command.id, name: fill.command.name, options: fill.command.options });
  return interaction;
}
