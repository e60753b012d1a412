/**
 * Outbound calls: one message as a speaker (already rendered by the adapter, paced per channel),
 * updates, and files through `files.getUploadURLExternal` → POST bytes →
 * `files.completeUploadExternal` into the thread. Every write waits for the Redis-shared budget
 * first, so no 429 is ever provoked.
 *
 * Hazard: the upload URL comes from an API answer, and the POST carries the file's bytes (a
 * transcript, the session's images). It is sent only to Slack's file host or the configured API's
 * own host, over https (unless SLACK_API_URL itself is http: the loopback emulator), with no
 * redirect followed and a timeout — never wherever an answer points.
 */
import { ErrorCode, type ChatPostMessageArguments, type ChatUpdateArguments, type WebClient } from '@slack/web-api';
import type { OutboundFile, Speaker } from '../../src/adapter/chat-adapter.ts';
import { parseSessionId } from '../../src/session/session-id.ts';
import { TableRoundError } from '../../src/errors.ts';
import { beforeSending } from '../../src/adapter/not-sent.ts';
import type { SlackPacing } from './slack-pacing.ts';
import { authorshipFor } from './identity.ts';
import { clientForChannel, uninstalledRef, type SlackWorkspaces } from './slack-workspaces.ts';

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

/** Where Slack's `files.getUploadURLExternal` hands out upload URLs. */
export const slackUploadHost = 'files.slack.com';

/** Milliseconds one file's POST to its upload URL may take, connect to last byte. */
export const uploadTimeoutMs = 30_000;

/**
 * The upload URL as a URL, if it may receive the file: https (http only when the configured Slack
 * API is itself http), on files.slack.com or the configured API's host (host and port), no
 * credentials. Throws otherwise; the message names the host, never the URL's path or query.
 */
export function checkedUploadUrl(uploadUrl: string, slackApiUrl: string): URL {
  let url: URL;
  try {
    url = new URL(uploadUrl);
  } catch {
    throw new Error('files.getUploadURLExternal returned an upload_url that is not a URL');
  }
  const api = new URL(slackApiUrl);
  const schemeAllowed = url.protocol === 'https:' || (url.protocol === 'http:' && api.protocol === 'http:');
  if (!schemeAllowed) throw new Error(`upload_url scheme ${url.protocol} refused: https only (the Slack API is ${api.protocol})`);
  if (url.host !== slackUploadHost && url.host !== api.host) throw new Error(`upload_url host ${url.host} refused: only ${slackUploadHost} or ${api.host}`);
  if (url.username !== '' || url.password !== '') throw new Error('upload_url with credentials refused');
  return url;
}

/**
 * Every call goes with the token of the thread's workspace (slack-workspaces.ts). In a workspace
 * that removed the app nothing is sent and nothing fails: a post returns `uninstalledRef`, an
 * update or upload does nothing — the session's end still commits with its transcript.
 */
export class MessagePoster {
  constructor(
    private readonly workspaces: SlackWorkspaces,
    private readonly pacing: SlackPacing,
  ) {}

  /** `signal`: the sender no longer owns its step — stop waiting for the budget, send nothing. */
  async postPart(thread: SlackThread, speaker: Speaker, text: string, blocks?: unknown[], signal?: AbortSignal): Promise<string> {
    const client = await beforeSending(clientForChannel(this.workspaces, thread.channel));
    if (!client) return uninstalledRef;
    await beforeSending(this.pacing.reservePost(thread.channel, signal));
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
      const result = await client.chat.postMessage(args);
      return result.ts ?? '';
    } catch (error) {
      throw platformFailure('chat.postMessage', error);
    }
  }

  async update(thread: SlackThread, ts: string, text: string, blocks?: unknown[]): Promise<void> {
    await this.pacing.reserveUpdate(thread.channel);
    await this.updateReserved(thread, ts, text, blocks);
  }

  /** chat.update for a caller that already holds an update slot. */
  async updateReserved(thread: SlackThread, ts: string, text: string, blocks?: unknown[]): Promise<void> {
    const client = await clientForChannel(this.workspaces, thread.channel);
    if (!client || ts === uninstalledRef) return;
    try {
      const args = { channel: thread.channel, ts, text, ...(blocks ? { blocks } : {}), parse: 'none', link_names: false } as ChatUpdateArguments;
      await client.chat.update(args);
    } catch (error) {
      throw platformFailure('chat.update', error);
    }
  }

  /** Uploads files into the thread; returns the file ids. */
  async uploadFiles(thread: SlackThread, files: OutboundFile[]): Promise<string[]> {
    const client = await beforeSending(clientForChannel(this.workspaces, thread.channel));
    if (!client) return [];
    try {
      const uploaded: { id: string; title: string }[] = [];
      for (const file of files) {
        const target = await client.files.getUploadURLExternal({
          filename: file.filename,
          length: file.bytes.length,
          // Slack documents the field as `alt_txt` (the SDK's type says alt_text).
          ...(file.description ? { alt_txt: file.description.slice(0, 1000) } : {}),
        } as Parameters<WebClient['files']['getUploadURLExternal']>[0]);
        if (!target.upload_url || !target.file_id) throw new Error('files.getUploadURLExternal returned no upload_url');
        const uploadUrl = checkedUploadUrl(target.upload_url, client.slackApiUrl);
        // A redirect would take the bytes to a host nobody checked.
        const response = await fetch(uploadUrl, { method: 'POST', headers: { 'content-type': file.contentType }, body: file.bytes, redirect: 'error', signal: AbortSignal.timeout(uploadTimeoutMs) });
        if (!response.ok) throw new Error(`upload URL answered ${response.status}`);
        uploaded.push({ id: target.file_id, title: file.filename });
      }
      await this.pacing.reservePost(thread.channel);
      await client.files.completeUploadExternal({ files: uploaded as [{ id: string; title: string }], channel_id: thread.channel, thread_ts: thread.threadTs });
      return uploaded.map((file) => file.id);
    } catch (error) {
      throw platformFailure('file upload', error);
    }
  }
}
