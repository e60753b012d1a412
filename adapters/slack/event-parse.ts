/**
 * Pure parsing of Events API payloads (`app_mention`, `message`) into what the intake acts on.
 * Tested on payloads shaped like Slack's; no I/O here.
 */
import type { ImageReference } from '../../src/adapter/inbound-event.ts';

/** The subset of Slack's message / app_mention event the adapter reads. */
export interface SlackMessageEvent {
  type: string;
  subtype?: string;
  channel?: string;
  user?: string;
  bot_id?: string;
  app_id?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  files?: SlackFile[];
}

export interface SlackFile {
  id?: string;
  name?: string;
  title?: string;
  mimetype?: string;
  size?: number;
  url_private?: string;
  url_private_download?: string;
  file_access?: string;
}

export interface ParsedPersonMessage {
  channel: string;
  user: string;
  ts: string;
  /** The thread the message is in; undefined for a top-level message. */
  threadTs: string | undefined;
  /** Text with mentions of the bot removed. */
  text: string;
  mentionsBot: boolean;
  images: ImageReference[];
  /** Every file shared with the message, images or not (a command's attachment: a character card). */
  files: ImageReference[];
}

/** Message subtypes that carry something a person wrote. Everything else (edits, joins, …) is ignored. */
const personSubtypes = new Set([undefined, 'file_share', 'thread_broadcast']);

/**
 * Returns the person's message, or undefined for anything the bot must ignore: its own posts and
 * its personas' (bot_id / app_id / subtype bot_message — any bot, so bots never loop), edits,
 * deletions and other system subtypes.
 */
export function parsePersonMessage(event: SlackMessageEvent, bot: { userId?: string; appId?: string }): ParsedPersonMessage | undefined {
  if (event.bot_id || event.subtype === 'bot_message') return undefined;
  if (event.app_id && event.app_id === bot.appId) return undefined;
  if (!personSubtypes.has(event.subtype)) return undefined;
  if (!event.channel || !event.user || !event.ts) return undefined;
  if (bot.userId && event.user === bot.userId) return undefined;
  const raw = event.text ?? '';
  const mention = bot.userId ? new RegExp(`<@${bot.userId}(\\|[^>]*)?>`, 'g') : undefined;
  const mentionsBot = event.type === 'app_mention' || (mention ? mention.test(raw) : false);
  const text = (mention ? raw.replace(mention, ' ') : raw.replace(/^\s*<@[UW][A-Z0-9]+(\|[^>]*)?>/, ' ')).replace(/\s+/g, ' ').trim();
  return {
    channel: event.channel,
    user: event.user,
    ts: event.ts,
    threadTs: event.thread_ts && event.thread_ts !== event.ts ? event.thread_ts : undefined,
    text: unescapeSlackText(text),
    mentionsBot,
    images: imageReferences(event.files ?? []),
    files: fileReferences(event.files ?? []),
  };
}

/** Slack escapes `&`, `<`, `>` in message text; links arrive as `<url|label>`. */
export function unescapeSlackText(text: string): string {
  return text
    .replace(/<(https?:\/\/[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<(https?:\/\/[^>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export function imageReferences(files: SlackFile[]): ImageReference[] {
  return fileReferences(files.filter((file) => file.mimetype?.startsWith('image/')));
}

/** References to shared files of any kind (downloaded only by a command that takes a file). */
export function fileReferences(files: SlackFile[]): ImageReference[] {
  const images: ImageReference[] = [];
  for (const file of files) {
    const location = file.url_private_download ?? file.url_private;
    if (!location) continue;
    images.push({
      kind: 'url',
      location,
      filename: file.name ?? file.title ?? `${file.id ?? 'image'}`,
      ...(typeof file.size === 'number' ? { size: file.size } : {}),
      contentType: file.mimetype,
    });
  }
  return images;
}
