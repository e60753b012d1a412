/**
 * Interaction responses: `POST /interactions/{id}/{token}/callback` (types 4, 5, 6, 7, and 9 MODAL —
 * not for a MODAL_SUBMIT; 6 and 7 only for interactions on a message's component) within the
 * response deadline (Discord: 3 s, then "Unknown interaction"), one callback per interaction
 * (40060), follow-ups `POST /webhooks/{application}/{token}` and `@original` get / edit / delete.
 */
import type { InteractionRecord, JsonObject, MessageRecord } from './emulator-state.ts';
import { errors, noContent, ok, stringField, type Route, type RouteRequest, type RouteResponse } from './http-kit.ts';
import { createMessage, editMessage } from './message-factory.ts';
import { messageOrThrow } from './route-helpers.ts';
import { validateModal } from './components.ts';
import type { EmulatorContext } from './emulator-context.ts';

const ephemeralFlag = 1 << 6;
const loadingFlag = 1 << 7;

function interactionByToken(context: EmulatorContext, tokenValue: string | undefined): InteractionRecord {
  const found = [...context.state.interactions.values()].find((interaction) => interaction.token === tokenValue);
  if (!found) throw errors.unknownWebhook();
  return found;
}

export function interactionCallbackRoutes(context: EmulatorContext): Route[] {
  const { state } = context;
  return [
    {
      method: 'POST',
      pattern: /^\/interactions\/(\d+)\/([A-Za-z0-9_.-]+)\/callback$/,
      auth: false,
      handle: ({ params, body, query }) => {
        const interaction = state.interactions.get(params[0] ?? '');
        if (!interaction || interaction.token !== params[1]) throw errors.unknownInteraction();
        if (interaction.callbacks.length > 0) throw errors.alreadyAcknowledged();
        if (Date.now() - interaction.createdAt > context.limits.interactionResponseMs) throw errors.unknownInteraction();
        const type = Number(body.json.type);
        const data = (body.json.data as JsonObject | undefined) ?? {};
        const flags = typeof data.flags === 'number' ? data.flags : 0;
        let message: MessageRecord | undefined;
        if (type === 4 || type === 5) {
          interaction.ephemeral = (flags & ephemeralFlag) !== 0;
          message = createMessage(context, {
            channelId: interaction.channelId,
            author: state.botUser,
            content: type === 4 ? (stringField(data, 'content') ?? '') : '',
            allowedMentions: data.allowed_mentions as JsonObject | undefined,
            files: body.files,
            attachmentMeta: data.attachments,
            components: data.components,
            embeds: data.embeds,
            flags: type === 5 ? flags | loadingFlag : flags,
            applicationId: state.applicationId,
            interaction: { id: interaction.id, userId: interaction.userId, type: interaction.type },
            ephemeral: interaction.ephemeral,
          });
          interaction.originalMessageId = message.json.id as string;
        } else if (type === 7) {
          const source = interaction.sourceMessageId ? state.messages.get(interaction.sourceMessageId) : undefined;
          if (!source) throw errors.unknownMessage();
          message = editMessage(context, source, data, body.files);
        } else if (type === 9) {
          if (interaction.type === 5) throw errors.invalidForm('type', 'A modal cannot answer a modal submission.');
          interaction.modal = { data, inputs: validateModal(data) };
        } else if (type !== 6) {
          throw errors.invalidForm('type', `Unsupported callback type ${type}.`);
        }
        if ((type === 6 || type === 7) && !interaction.sourceMessageId) throw errors.invalidForm('type', 'Only valid for interactions on a message component.');
        interaction.callbacks.push({ type, data, at: Date.now() });
        if (query.get('with_response') !== 'true') return noContent();
        return ok({
          interaction: {
            id: interaction.id,
            type: interaction.type,
            activity_instance_id: null,
            response_message_id: message?.json.id ?? null,
            response_message_loading: type === 5,
            response_message_ephemeral: interaction.ephemeral,
          },
          ...(message ? { resource: { type, message: message.json } } : {}),
        });
      },
    },
  ];
}

export function interactionWebhookRoutes(context: EmulatorContext) {
  const { state } = context;
  const target = (interaction: InteractionRecord, which: string | undefined): MessageRecord => {
    const messageId = which === '@original' ? (interaction.originalMessageId ?? interaction.sourceMessageId) : which;
    return messageOrThrow(context, interaction.channelId, messageId);
  };
  const acknowledged = (interaction: InteractionRecord) => {
    if (interaction.callbacks.length === 0) throw errors.unknownWebhook();
  };
  return {
    followUp({ params, body }: RouteRequest): RouteResponse {
      const interaction = interactionByToken(context, params[1]);
      acknowledged(interaction);
      const flags = typeof body.json.flags === 'number' ? body.json.flags : 0;
      const message = createMessage(context, {
        channelId: interaction.channelId,
        author: state.botUser,
        content: stringField(body.json, 'content') ?? '',
        allowedMentions: body.json.allowed_mentions as JsonObject | undefined,
        files: body.files,
        attachmentMeta: body.json.attachments,
        components: body.json.components,
        embeds: body.json.embeds,
        flags,
        applicationId: state.applicationId,
        interaction: { id: interaction.id, userId: interaction.userId, type: interaction.type },
        ephemeral: (flags & ephemeralFlag) !== 0,
      });
      interaction.followUpIds.push(message.json.id as string);
      return ok(message.json);
    },
    getMessage({ params }: RouteRequest): RouteResponse {
      const interaction = interactionByToken(context, params[1]);
      return ok(target(interaction, params[2]).json);
    },
    editMessage({ params, body }: RouteRequest): RouteResponse {
      const interaction = interactionByToken(context, params[1]);
      acknowledged(interaction);
      const message = target(interaction, params[2]);
      const flags = typeof message.json.flags === 'number' ? message.json.flags : 0;
      message.json.flags = flags & ~loadingFlag;
      return ok(editMessage(context, message, body.json, body.files).json);
    },
    deleteMessage({ params }: RouteRequest): RouteResponse {
      const interaction = interactionByToken(context, params[1]);
      target(interaction, params[2]).deleted = true;
      return noContent();
    },
  };
}
