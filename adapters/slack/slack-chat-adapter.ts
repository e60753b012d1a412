/**
 * The outbound `ChatAdapter` for Slack: posts as personas, streams, shows the poll, downloads
 * shared images. Keeps no state another process would need (pacing lives in Redis).
 */
import type { WebClient } from '@slack/web-api';
import type { ChatAdapter, PollView, PostRequest, PostResult, Speaker, StreamHandle, StreamOptions } from '../../src/adapter/chat-adapter.ts';
import type { ImageReference } from '../../src/adapter/inbound-event.ts';
import type { Config } from '../../src/config/config-schema.ts';
import type { RoundtableService } from '../../src/engine/roundtable-service.ts';
import type { Logger } from '../../src/logging/logger.ts';
import { threadOf, type MessagePoster } from './message-poster.ts';
import { NativeStream, UpdateStream } from './message-stream.ts';
import type { SlackPacing } from './slack-pacing.ts';
import { pollBlocks, pollFallbackText } from './poll-blocks.ts';
import { downloadSlackFile } from './image-download.ts';
import { slackApiUrl, type BotIdentity } from './web-client.ts';

export interface SlackChatAdapterDependencies {
  config: Config;
  client: WebClient;
  poster: MessagePoster;
  pacing: SlackPacing;
  roundtable: RoundtableService;
  logger: Logger;
  bot: () => Promise<BotIdentity>;
}

export class SlackChatAdapter implements ChatAdapter {
  readonly platform = 'slack' as const;
  /** Turned off for this process when Slack refuses native streaming (old workspace, missing feature). */
  private nativeStreaming: boolean;
  /** Session → its starter's user id (never changes): looked up once, not on every streamed turn. */
  private readonly starters = new Map<string, string>();

  constructor(private readonly dependencies: SlackChatAdapterDependencies) {
    this.nativeStreaming = dependencies.config.SLACK_NATIVE_STREAMING;
  }

  post(request: PostRequest): Promise<PostResult> {
    return this.dependencies.poster.post(request);
  }

  async startStream(request: { sessionId: string; speaker: Speaker }, options: StreamOptions = {}): Promise<StreamHandle> {
    const { client, poster, pacing, logger } = this.dependencies;
    const thread = threadOf(request.sessionId);
    const streamDependencies = { client, poster, pacing, logger };
    // Continuing a crashed attempt's message is an update of that message, never a new stream.
    if (options.resume) return new UpdateStream(thread, request.speaker, streamDependencies, options);
    if (this.nativeStreaming) {
      // Streaming into a channel names a recipient: the person who started the session.
      const [starter, bot] = await Promise.all([this.starterOf(request.sessionId), this.dependencies.bot().catch(() => undefined)]);
      if (starter && bot) {
        return new NativeStream(thread, request.speaker, { recipientUserId: starter, recipientTeamId: bot.teamId }, streamDependencies, (error) => {
          this.nativeStreaming = false;
          logger.warn({ err: error }, 'slack native streaming refused; falling back to post-then-update');
        }, options);
      }
    }
    return new UpdateStream(thread, request.speaker, streamDependencies, options);
  }

  private async starterOf(sessionId: string): Promise<string | undefined> {
    const known = this.starters.get(sessionId);
    if (known) return known;
    const starter = (await this.dependencies.roundtable.status(sessionId).catch(() => undefined))?.starter.id;
    if (starter) {
      if (this.starters.size > 10_000) this.starters.clear();
      this.starters.set(sessionId, starter);
    }
    return starter;
  }

  async showPoll(poll: PollView, existingMessageId: string | undefined): Promise<string> {
    const thread = threadOf(poll.sessionId);
    const blocks = pollBlocks(poll);
    const text = pollFallbackText(poll);
    if (existingMessageId) {
      await this.dependencies.poster.update(thread, existingMessageId, text, blocks);
      return existingMessageId;
    }
    return this.dependencies.poster.postPart(thread, { kind: 'moderator' }, text, blocks);
  }

  /** Slack threads cannot be archived or locked: a closing line says the thread is done. */
  async archive(sessionId: string): Promise<void> {
    await this.dependencies.poster.postPart(threadOf(sessionId), { kind: 'moderator' }, '_This roundtable has ended. Mention me in the channel to start a new one._');
  }

  fetchImage(reference: ImageReference, maxBytes: number): Promise<Buffer> {
    return downloadSlackFile(reference, maxBytes, this.dependencies.config.SLACK_BOT_TOKEN ?? '', slackApiUrl(this.dependencies.config));
  }
}
