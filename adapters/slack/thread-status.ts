/**
 * "<persona> is writing…" under a session thread while a persona composes:
 * `assistant.threads.setStatus` (`channel_id`, `thread_ts`, `status`, with the speaker's
 * `username` / `icon_url` / `icon_emoji`). Since 2026-03 it works in channel threads with
 * `chat:write` (platform-limits.md).
 *
 * Contract: decoration only — `show` never throws and never waits for a rate budget. A status is
 * skipped when the Redis-shared budget (slack-pacing.ts `tryThreadStatus`) has no room now, and
 * every failure is logged at debug. It holds the persona back at most `threadStatusWaitMs`.
 *
 * Hazards: Slack clears the status when the app posts in the thread (the persona's reply) or
 * after two minutes without a post; a status whose call outlived `threadStatusWaitMs` may appear
 * after the reply was posted and then stay until that timeout.
 */
import type { Speaker } from '../../src/adapter/chat-adapter.ts';
import type { Logger } from '../../src/logging/logger.ts';
import { authorshipFor } from './identity.ts';
import { threadOf } from './message-poster.ts';
import type { SlackPacing } from './slack-pacing.ts';
import { clientForChannel, type SlackWorkspaces } from './slack-workspaces.ts';

/** Shown after the speaker's name. */
export const threadStatusText = 'is writing…';
/** Longest a persona's model call waits for its status to be set (ms); the call itself goes on. */
export const threadStatusWaitMs = 2_000;

export interface ThreadStatusDependencies {
  workspaces: SlackWorkspaces;
  pacing: SlackPacing;
  logger: Logger;
}

export class ThreadStatus {
  constructor(private readonly dependencies: ThreadStatusDependencies) {}

  /** Shows that `speaker` is composing in the session's thread, if the budget allows now. */
  async show(sessionId: string, speaker: Speaker): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, threadStatusWaitMs);
      timer.unref();
    });
    // The budget check needs the workspace (auth.test) and Redis; both count against the wait.
    await Promise.race([this.set(sessionId, speaker), waited]);
    clearTimeout(timer);
  }

  private async set(sessionId: string, speaker: Speaker): Promise<void> {
    const { workspaces, pacing, logger } = this.dependencies;
    try {
      const thread = threadOf(sessionId);
      const client = await clientForChannel(workspaces, thread.channel);
      if (!client) return;
      if (!(await pacing.tryThreadStatus(thread.channel))) {
        logger.debug({ sessionId }, 'slack: thread status skipped, no budget now');
        return;
      }
      await client.assistant.threads.setStatus({ channel_id: thread.channel, thread_ts: thread.threadTs, status: threadStatusText, ...authorshipFor(speaker) });
    } catch (error) {
      logger.debug({ err: error, sessionId }, 'slack: thread status failed');
    }
  }
}
