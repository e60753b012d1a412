/**
 * What the emulator's people do, dispatched as Discord does: a message (or a reply), a slash
 * command (over the gateway as an APPLICATION_COMMAND interaction), a button click (only on a
 * message the application owns, only for a button it has) and a modal submission.
 */
import { nextSnowflake } from './snowflake.ts';
import type { ChannelRecord, InteractionRecord, JsonObject, MessageRecord, UserRecord } from './emulator-state.ts';
import type { EmulatorContext } from './emulator-context.ts';
import { createMessage, storeAttachments } from './message-factory.ts';
import { customIdsOf, modalSubmitComponents } from './components.ts';
import type { UploadedFile } from './http-kit.ts';
import { dispatchInteraction, type InteractionDelivery } from './interaction-dispatch.ts';

export interface UserAttachment {
  filename: string;
  contentType: string;
  bytes: Buffer;
}

function channelOrThrow(context: EmulatorContext, channelId: string): ChannelRecord {
  const channel = context.state.channels.get(channelId);
  if (!channel) throw new Error(`no channel ${channelId}`);
  return channel;
}

/** A person's message; `replyTo` makes it a reply (type 19) to that message of the same channel. */
export function personSendsMessage(context: EmulatorContext, channelId: string, author: UserRecord, content: string, attachments: UserAttachment[], options: { replyTo?: string }): MessageRecord {
  const files: UploadedFile[] = attachments.map((attachment, index) => ({ index, ...attachment }));
  if (options.replyTo && context.state.messages.get(options.replyTo)?.channelId !== channelId) throw new Error(`no message ${options.replyTo} in ${channelId}`);
  return createMessage(context, { channelId, author, content, allowedMentions: undefined, files, ...(options.replyTo ? { replyTo: options.replyTo } : {}) });
}

/**
 * A person runs a slash command. `delivery.partialChannel` sends the interaction's `channel` as
 * the documented partial (id, name, type, permissions — no `guild_id`), as some
 * Discord-compatible servers do; discord.js cannot cache such a channel from the payload.
 */
export function personRunsCommand(context: EmulatorContext, channelId: string, user: UserRecord, name: string, options: Record<string, string | number | UserAttachment>, delivery: InteractionDelivery): InteractionRecord {
  const channel = channelOrThrow(context, channelId);
  const registered = [...context.state.commands.values()].flat().find((command) => command.name === name);
  const specs = Array.isArray(registered?.options) ? (registered.options as JsonObject[]) : [];
  // An attachment option (type 11): the file is uploaded to the CDN, the option's value is its id,
  // and the attachment itself is in `data.resolved.attachments`, as Discord sends it.
  const attachments: Record<string, JsonObject> = {};
  const data = {
    id: (registered?.id as string | undefined) ?? nextSnowflake(),
    name,
    type: 1,
    guild_id: channel.guildId,
    options: Object.entries(options).map(([optionName, value]) => {
      if (typeof value === 'object') {
        const [stored] = storeAttachments(context, channelId, [{ index: 0, ...value }], undefined);
        attachments[stored!.id as string] = stored!;
        return { name: optionName, type: 11, value: stored!.id };
      }
      return { name: optionName, type: (specs.find((spec) => spec.name === optionName)?.type as number | undefined) ?? (typeof value === 'number' ? 4 : 3), value };
    }),
    ...(Object.keys(attachments).length ? { resolved: { attachments } } : {}),
  };
  return dispatchInteraction(context, channel, user, 2, data, undefined, delivery);
}

/**
 * A person clicks a button of a message. Discord sends the interaction only to the application
 * the message belongs to (its own messages, its interactions' and its application-owned
 * webhooks' messages: `application_id`), and only for a button the message has.
 */
export function personClicksButton(context: EmulatorContext, channelId: string, messageId: string, user: UserRecord, customId: string): InteractionRecord {
  const { state } = context;
  const channel = channelOrThrow(context, channelId);
  const message = state.messages.get(messageId);
  if (!message) throw new Error(`no message ${messageId}`);
  if (!customIdsOf(message.json.components).includes(customId)) throw new Error(`message ${messageId} has no component ${customId}`);
  const ownedByApp = message.json.application_id === state.applicationId || (message.json.author as { id?: string }).id === state.botUser.id;
  if (!ownedByApp) throw new Error(`message ${messageId} does not belong to the application: Discord would send its clicks elsewhere`);
  return dispatchInteraction(context, channel, user, 3, { custom_id: customId, component_type: 2 }, message);
}

/**
 * The person submits the modal that `shownBy` (an interaction the bot answered with callback
 * type 9) opened, with a value per text input custom_id: a MODAL_SUBMIT interaction (type 5) whose
 * `data.components` mirror the modal (Label → `{type: 18, component: {type: 4, custom_id, value}}`),
 * with `message` when the modal came from a message's component.
 */
export function personSubmitsModal(context: EmulatorContext, shownBy: string, values: Record<string, string>, user: UserRecord | undefined): InteractionRecord {
  const { state } = context;
  const opener = state.interactions.get(shownBy);
  if (!opener?.modal) throw new Error(`interaction ${shownBy} showed no modal`);
  const submitter = user ?? state.users.get(opener.userId);
  if (!submitter) throw new Error(`no user ${opener.userId}`);
  const channel = channelOrThrow(context, opener.channelId);
  const source = opener.sourceMessageId ? state.messages.get(opener.sourceMessageId) : undefined;
  const data = { custom_id: opener.modal.data.custom_id, components: modalSubmitComponents(opener.modal.inputs, values) };
  return dispatchInteraction(context, channel, submitter, 5, data, source);
}
