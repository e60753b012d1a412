/**
 * What each session's current stream holds in the workspace budgets (slack-pacing.ts), from the
 * moment `mayStream` allowed it until it ends: a native stream holds its `chat.startStream` and
 * `chat.stopStream` slots, a post-then-update stream its final `chat.update`. A session streams
 * one reply at a time (its steps run one after another), so one hold per session. In process:
 * a hold whose process died lapses by itself (RateBudget's hold time).
 */
import type { Logger } from '../../src/logging/logger.ts';
import type { SlackPacing } from './slack-pacing.ts';
import { threadOf } from './message-poster.ts';

/** The session's channel: the workspace budgets are its workspace's. */
const channelOf = (sessionId: string) => threadOf(sessionId).channel;

interface Hold {
  kind: 'native' | 'edit';
  token: string;
  startSpent: boolean;
}

const bounded = 10_000;

export class StreamHolds {
  private readonly held = new Map<string, Hold>();

  constructor(
    private readonly pacing: SlackPacing,
    private readonly logger: Logger,
  ) {}

  /** Holds what a stream of this kind needs; false when the workspace budget has no room now. */
  async take(sessionId: string, kind: 'native' | 'edit'): Promise<boolean> {
    await this.drop(sessionId);
    const token = await this.pacing.holdStream(channelOf(sessionId), kind);
    if (!token) return false;
    if (this.held.size > bounded) this.held.clear();
    this.held.set(sessionId, { kind, token, startSpent: false });
    return true;
  }

  /** `chat.startStream` happens now. */
  async start(sessionId: string): Promise<void> {
    const hold = this.held.get(sessionId);
    if (hold?.kind === 'native' && !hold.startSpent) {
      hold.startSpent = true;
      await this.pacing.spend(channelOf(sessionId), 'start', hold.token);
    } else {
      await this.pacing.spend(channelOf(sessionId), 'start', undefined);
    }
  }

  /** `chat.stopStream` happens now. */
  async stop(sessionId: string): Promise<void> {
    const hold = this.held.get(sessionId);
    if (hold?.kind === 'native') this.held.delete(sessionId);
    await this.pacing.spend(channelOf(sessionId), 'stop', hold?.kind === 'native' ? hold.token : undefined);
  }

  /** A stream's final `chat.update` happens now. */
  async finalUpdate(sessionId: string): Promise<void> {
    const hold = this.held.get(sessionId);
    if (hold?.kind === 'edit') this.held.delete(sessionId);
    await this.pacing.spend(channelOf(sessionId), 'update', hold?.kind === 'edit' ? hold.token : undefined);
  }

  /** Gives back what the session's stream held and will not use (e.g. Slack refused native streaming). */
  async drop(sessionId: string): Promise<void> {
    const hold = this.held.get(sessionId);
    if (!hold) return;
    this.held.delete(sessionId);
    await this.pacing.releaseStream(channelOf(sessionId), hold.kind, hold.token).catch((error: unknown) => this.logger.debug({ err: error, sessionId }, 'slack: could not release a stream hold (it lapses by itself)'));
  }
}
