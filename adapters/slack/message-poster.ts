/**
 * Outbound calls: one message as a speaker (already rendered by the adapter, paced per channel),
 * updates, and files through `files.getUploadURLExternal` → POST bytes →
 * `files.completeUploadExternal` into the thread. Every write waits for the Redis-shared budget
 * first, so no 429 is ever provoked.
 */
import { ErrorCode, type ChatPostMessageArguments, type ChatUpdateArguments, type WebClient } from '@slack/web-api';
import type { OutboundFile, Speaker } from '../../src/adapter/chat-adapter.ts';
import { parseSessionId } from '../../src/session/session-id.ts';
import { TableRoundError } from '../../src/errors.ts';
import type { SlackPacing } from './slack-pacing.ts';
import { authorshipFor } from './identity.ts';

export interface SlackThread {
  channel: string;
  threadTs: string;
}

export function threadOf(sessionId: string): SlackThread {
  const address = parseSessionId(sessionId);
  if (address.platform !== 'slack') throw new TableRoundError('internal', `not a Slack session: ${sessionId}`);
  return { channel: address.channel, threadTs: address.thread };
}

export function platformFailure(action: string, error: unknown): TableRoundError {
  const detail = error instanceof Error ? error.message : String(error);
  return new TableRoundError('platform_failed', `Slack ${action} failed: ${detail}`, { cause: error, publicMessage: 'Slack refused a message; please try again.' });
}

/**
 * What Slack said when it answered a call with `ok: false` — it did nothing, so nothing was posted —
 * from a `platformFailure` or the SDK's own error: its code and the detail Slack gave
 * (`response_metadata.messages`, `errors`: JSON pointers to a refused block). Undefined for any other
 * failure (a timeout or a dropped connection may have posted the message).
 */
export function slackRefusal(error: unknown): { error: string; messages: string[] } | undefined {
  const cause = error instanceof TableRoundError ? error.cause : error;
  if (typeof cause !== 'object' || cause === null || (cause as { code?: unknown }).code !== ErrorCode.PlatformError) return undefined;
  const data = (cause as { data?: { error?: unknown; errors?: unknown; response_metadata?: { messages?: unknown } } }).data;
  const strings = (value: unknown) => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);
  return { error: typeof data?.error === 'string' ? data.error : 'unknown', messages: [...strings(data?.response_metadata?.messages), ...strings(data?.errors)].slice(0, 10) };
}

export class MessagePoster {
  constructor(
    private readonly client: WebClient,
    private readonly pacing: SlackPacing,
  ) {}

  async postPart(thread: SlackThread, speaker: Speaker, text: string, blocks?: unknown[]): Promise<string> {
    await this.pacing.reservePost(thread.channel);
    try {
      const args = {
        channel: thread.channel,
        thread_ts: thread.threadTs,
        text,
        ...(blocks ? { blocks } : {}),
        ...authorshipFor(speaker),
        // Plain text: no automatic linking of names or channels, no unfurling of links.
        parse: 'none',
        link_names: false,
        unfurl_links: false,
        unfurl_media: false,
      } as ChatPostMessageArguments;
      const result = await this.client.chat.postMessage(args);
      return result.ts ?? '';
    } catch (error) {
      throw platformFailure('chat.postMessage', error);
    }
  }

  async update(thread: SlackThread, ts: string, text: string, blocks?: unknown[]): Promise<void> {
    await this.pacing.reserveUpdate();
    await this.updateReserved(thread, ts, text, blocks);
  }

  /** chat.update for a caller that already holds an update slot. */
  async updateReserved(thread: SlackThread, ts: string, text: string, blocks?: unknown[]): Promise<void> {
    try {
      const args = { channel: thread.channel, ts, text, ...(blocks ? { blocks } : {}), parse: 'none', link_names: false } as ChatUpdateArguments;
      await this.client.chat.update(args);
    } catch (error) {
      throw platformFailure('chat.update', error);
    }
  }

  /** Uploads files into the thread; returns the file ids. */
  async uploadFiles(thread: SlackThread, files: OutboundFile[]): Promise<string[]> {
    try {
      const uploaded: { id: string; title: string }[] = [];
      for (const file of files) {
        const target = await this.client.files.getUploadURLExternal({
          filename: file.filename,
          length: file.bytes.length,
          // Slack documents the field as `alt_txt` (the SDK's type says alt_text).
          ...(file.description ? { alt_txt: file.description.slice(0, 1000) } : {}),
        } as Parameters<WebClient['files']['getUploadURLExternal']>[0]);
        if (!target.upload_url || !target.file_id) throw new Error('files.getUploadURLExternal returned no upload_url');
        const response = await fetch(target.upload_url, { method: 'POST', headers: { 'content-type': file.contentType }, body: file.bytes, signal: AbortSignal.timeout(30_000) });
        if (!response.ok) throw new Error(`upload URL answered ${response.status}`);
        uploaded.push({ id: target.file_id, title: file.filename });
      }
      await this.pacing.reservePost(thread.channel);
      await this.client.files.completeUploadExternal({ files: uploaded as [{ id: string; title: string }], channel_id: thread.channel, thread_ts: thread.threadTs });
      return uploaded.map((file) => file.id);
    } catch (error) {
      throw platformFailure('file upload', error);
    }
  }
}
