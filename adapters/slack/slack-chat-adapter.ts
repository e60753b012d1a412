/**
 * The outbound `ChatAdapter` for Slack: platform calls only — post a message as a persona or
 * the moderator, update it, stream natively, upload files, draw charts (chart-posts.ts), show the
 * poll, show "is writing…" (thread-status.ts), download shared images, and look a message up
 * (`conversations.replies`) for the outbox's recovery. Splitting, streaming and exactly-once
 * delivery are the core's (src/outbound/, src/pipeline/step-outbox.ts).
 * Every persona post carries an "Ask ⟨name⟩" button (ask-blocks.ts) in the same call that posts,
 * updates or stops it: no write of its own.
 * Keeps no state another process would need (pacing lives in Redis; a workspace that refused a
 * chart is shared through `cache` when given, else each process learns it with one refused call).
 */
import type { RedisClient } from '../../src/store/redis-connection.ts';
import type { ChatAdapter, EditRequest, OutboundFile, PersonaIdentity, PollView, PostLookup, SendRequest, Speaker, StreamingSupport } from '../../src/adapter/chat-adapter.ts';
import type { ImageReference } from '../../src/adapter/inbound-event.ts';
import type { Config } from '../../src/config/config-schema.ts';
import type { RoundtableService } from '../../src/engine/roundtable-service.ts';
import type { Logger } from '../../src/logging/logger.ts';
import type { RedisKeys } from '../../src/store/keys.ts';
import { platformFailure, threadOf, type MessagePoster } from './message-poster.ts';
import { SlackNativeStreaming } from './native-stream.ts';
import type { SlackPacing } from './slack-pacing.ts';
import { pollBlocks, pollFallbackText } from './poll-blocks.ts';
import { downloadSlackFile, teamOfFileUrl } from './image-download.ts';
import { threadCommandStyle } from './command-text.ts';
import { sanitiseUsername } from './identity.ts';
import { toSlackMarkdown, toSlackMrkdwn } from './mrkdwn.ts';
import { ThreadStatus } from './thread-status.ts';
import { StreamHolds } from './stream-holds.ts';
import { askActions, personaPostBlocks } from './ask-blocks.ts';
import { SessionLanguages } from '../shared/session-languages.ts';
import { SlackCharts } from './chart-posts.ts';
import { ChartRefusals } from './chart-refusals.ts';
import { uninstalledRef, type SlackWorkspaces } from './slack-workspaces.ts';

/** Slack truncates `text` past 40,000 characters and long messages read badly: ≲ 3,000 a message. */
export const slackMessageLimit = 3_000;
/** Minimum ms between two writes to the same streamed message. */
export const streamIntervalMs = 1_500;
/**
 * How long a reply must keep growing before a partial message is posted or a native stream
 * started: a fast reply is one post, and costs no Tier 2 stream slots ("is writing…" shows meanwhile).
 */
export const firstPostDelayMs = 1_500;

export interface SlackChatAdapterDependencies {
  config: Config;
  /** Which workspace's token each call uses (slack-workspaces.ts). */
  workspaces: SlackWorkspaces;
  poster: MessagePoster;
  pacing: SlackPacing;
  roundtable: RoundtableService;
  logger: Logger;
  /** Where processes share what they learn (a workspace that refuses chart blocks); per process without it. */
  cache?: { redis: RedisClient; keys: RedisKeys };
}

interface RepliedMessage {
  ts?: string;
  text?: string;
  user?: string;
  bot_id?: string;
  username?: string;
  blocks?: unknown[];
  files?: { name?: string }[];
}

export class SlackChatAdapter implements ChatAdapter {
  readonly platform = 'slack' as const;
  readonly messageLimit = slackMessageLimit;
  /** In a session thread people address the bot: Slack does not run slash commands typed in a thread. */
  readonly commandStyle = threadCommandStyle;
  /** Who may end any session here (people.ts: workspace admins and owners). */
  readonly managerTerm = 'a workspace admin';
  readonly streaming: StreamingSupport;
  /** Charts drawn by Slack (`data_visualization` blocks), with the picture as fallback (chart-posts.ts). */
  readonly charts: SlackCharts;
  /** Session → its starter's user id (never changes): looked up once, not on every streamed turn. */
  private readonly starters = new Map<string, string>();
  private readonly status: ThreadStatus;
  private readonly holds: StreamHolds;
  private readonly languages: SessionLanguages;

  constructor(private readonly dependencies: SlackChatAdapterDependencies) {
    const { workspaces, poster, pacing, logger, config } = dependencies;
    this.languages = new SessionLanguages(dependencies.roundtable);
    this.status = new ThreadStatus({ workspaces, pacing, logger });
    const holds = new StreamHolds(pacing, logger);
    this.charts = new SlackCharts({ workspaces, poster, pacing, logger, refusals: new ChartRefusals(dependencies.cache), actionsOf: (sessionId, speaker) => this.askActionsOf(sessionId, speaker) });
    this.holds = holds;
    const native = config.SLACK_NATIVE_STREAMING
      ? new SlackNativeStreaming({ workspaces, poster, pacing, holds, logger, recipientOf: (sessionId) => this.recipientOf(sessionId), askActionsOf: (sessionId, speaker) => this.askActionsOf(sessionId, speaker) })
      : undefined;
    this.streaming = {
      editIntervalMs: streamIntervalMs,
      firstPostDelayMs,
      ...(native ? { native } : {}),
      // A stream starts only when the workspace budgets can pay for its end now (Tier 2 start
      // and stop, or the final chat.update): otherwise the reply is posted once, finished.
      mayStream: (sessionId: string, mode: 'native' | 'edit') => holds.take(sessionId, mode === 'native' && native?.available ? 'native' : 'edit'),
    };
  }

  render(text: string): string {
    return toSlackMrkdwn(text);
  }

  async send(request: SendRequest): Promise<string> {
    const ask = await this.askActionsOf(request.sessionId, request.speaker);
    return this.dependencies.poster.postPart(threadOf(request.sessionId), request.speaker, request.text, ask ? personaPostBlocks(request.text, ask) : undefined, request.signal);
  }

  /** The Ask button's block for a persona's post (undefined for the moderator). */
  private async askActionsOf(sessionId: string, speaker: Speaker): Promise<Record<string, unknown> | undefined> {
    if (speaker.kind !== 'persona') return undefined;
    const persona: PersonaIdentity = speaker.persona;
    return askActions({ sessionId, personaId: persona.id }, persona.displayName, await this.languages.of(sessionId));
  }

  async edit(request: EditRequest): Promise<boolean> {
    const { pacing, poster } = this.dependencies;
    // A post with blocks shows its blocks: an update without them would keep showing the old text.
    const ask = await this.askActionsOf(request.sessionId, request.speaker);
    const { channel } = threadOf(request.sessionId);
    if (request.budget === 'skip') {
      if (!(await pacing.tryUpdate(channel))) return false;
    } else if (request.budget === 'held') {
      await this.holds.finalUpdate(request.sessionId);
    } else {
      await pacing.reserveUpdate(channel);
    }
    await poster.updateReserved(threadOf(request.sessionId), request.ref, request.text, ask ? personaPostBlocks(request.text, ask) : undefined);
    return true;
  }

  /** "is writing…" as the speaker: skipped when the budget has no room, never throws. */
  typing(sessionId: string, speaker: Speaker): Promise<void> {
    return this.status.show(sessionId, speaker);
  }

  async sendFiles(request: { sessionId: string; speaker: Speaker; files: OutboundFile[] }): Promise<string> {
    const ids = await this.dependencies.poster.uploadFiles(threadOf(request.sessionId), request.files);
    // None uploaded: the workspace removed the app (message-poster.ts).
    return ids.length ? `files:${ids.join(',')}` : uninstalledRef;
  }

  /**
   * The thread's messages since the lookup's time, searched for one this app posted as the
   * speaker with the given text (a native stream's first text, the poll's blocks, file names).
   */
  async findPost(sessionId: string, lookup: PostLookup): Promise<string | undefined> {
    const { workspaces } = this.dependencies;
    const thread = threadOf(sessionId);
    const team = await workspaces.teamOf(thread.channel);
    const client = await workspaces.client(team);
    // Removed from the workspace: nothing was posted there, and nothing will be.
    if (!client) return undefined;
    const bot = await workspaces.identity(team);
    let result;
    await this.dependencies.pacing.reserveReplies(thread.channel);
    try {
      result = await client.conversations.replies({ channel: thread.channel, ts: thread.threadTs, oldest: (lookup.since / 1000).toFixed(6), inclusive: true, limit: 200 });
    } catch (error) {
      throw platformFailure('conversations.replies', error);
    }
    const excluded = new Set(lookup.exclude);
    const username = lookup.speaker.kind === 'persona' ? sanitiseUsername(lookup.speaker.persona.displayName) : undefined;
    const expected = lookup.text === undefined ? undefined : lookup.stream === 'native' ? toSlackMarkdown(lookup.text) : toSlackMrkdwn(lookup.text);
    for (const message of (result.messages ?? []) as RepliedMessage[]) {
      if (!message.ts || message.ts === thread.threadTs || excluded.has(message.ts)) continue;
      if (Number(message.ts) * 1000 < lookup.since || message.bot_id !== bot.botId) continue;
      if (username !== undefined ? message.username !== username : message.username !== undefined && message.user !== bot.userId) continue;
      if (lookup.fileNames?.length) {
        if (lookup.fileNames.every((name) => message.files?.some((file) => file.name === name))) return `files:${lookup.fileNames.join(',')}`;
        continue;
      }
      if (lookup.poll) {
        // The poll's own blocks (poll-blocks.ts), not any moderator message with blocks (a chart's).
        if (message.blocks?.some((block) => (block as { block_id?: unknown }).block_id === 'poll_header')) return message.ts;
        continue;
      }
      if (expected !== undefined && message.text !== expected) continue;
      return message.ts;
    }
    return undefined;
  }

  private async recipientOf(sessionId: string): Promise<{ userId: string; teamId: string } | undefined> {
    const [starter, teamId] = await Promise.all([this.starterOf(sessionId), this.dependencies.workspaces.teamOf(threadOf(sessionId).channel).catch(() => undefined)]);
    return starter && teamId ? { userId: starter, teamId } : undefined;
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

  async showPoll(poll: PollView, existingRef: string | undefined): Promise<string> {
    const thread = threadOf(poll.sessionId);
    const blocks = pollBlocks(poll);
    const text = pollFallbackText(poll);
    if (existingRef) {
      await this.dependencies.poster.update(thread, existingRef, text, blocks);
      return existingRef;
    }
    return this.dependencies.poster.postPart(thread, { kind: 'moderator' }, text, blocks);
  }

  async fetchImage(reference: ImageReference, maxBytes: number, signal?: AbortSignal): Promise<Buffer> {
    return downloadSlackFile(reference, maxBytes, await this.tokenFor(reference), this.dependencies.config, signal);
  }

  async fetchFile(reference: ImageReference, maxBytes: number, signal?: AbortSignal): Promise<Buffer> {
    return downloadSlackFile(reference, maxBytes, await this.tokenFor(reference), this.dependencies.config, signal, 'any');
  }

  /** The token of the workspace the file belongs to (its `url_private` names it); '' when the app is gone there. */
  private async tokenFor(reference: ImageReference): Promise<string> {
    return (await this.dependencies.workspaces.token(teamOfFileUrl(reference.location) ?? '')) ?? '';
  }
}
