/**
 * The contract between the platform-neutral core and a chat platform. Adapters normalise inbound
 * platform events into `InboundEvent`s (see inbound-event.ts) and implement this outbound
 * interface. Optional capabilities are optional methods; the core checks for them.
 *
 * Every method may be called from any worker process: implementations keep no per-process state
 * that another process would need (shared state goes to Redis through the core's stores).
 */
import type { Platform } from '../session/session-id.ts';
import type { ImageReference } from './inbound-event.ts';

export interface PersonaIdentity {
  /** Stable persona id from the panel, e.g. `craftsman_1`. */
  id: string;
  /** The name shown on the platform. Adapters sanitise it for their own rules. */
  displayName: string;
  /** Square PNG avatar (≤ 256 px) and its content hash, when prepared. */
  avatarPng?: Buffer;
  avatarHash?: string;
  /** Public, content-hashed URL of the avatar when PUBLIC_BASE_URL is configured. */
  avatarUrl?: string;
  /** Fallback emoji (Slack `icon_emoji`, terminal decoration), e.g. `:art:`. */
  emoji?: string;
}

/** Who a post speaks as: the bot itself (moderator) or one persona. */
export type Speaker = { kind: 'moderator' } | { kind: 'persona'; persona: PersonaIdentity };

export interface OutboundFile {
  filename: string;
  contentType: string;
  bytes: Buffer;
  /** Alt text / description where the platform supports it. */
  description?: string;
}

export interface PostRequest {
  sessionId: string;
  speaker: Speaker;
  /** Plain text with light Markdown (**bold**, lists). Adapters convert, escape mentions and split. */
  text: string;
  files?: OutboundFile[];
}

/** Ids of the platform messages a post produced (a long post may be split into several). */
export interface PostResult {
  messageIds: string[];
}

/**
 * A message that grows as tokens arrive. `update` may be called very often; the adapter decides
 * how often the platform is actually written (pacing). `finish` always writes the final text.
 */
export interface StreamHandle {
  update(textSoFar: string): void;
  finish(finalText: string): Promise<PostResult>;
  /** The stream failed: remove or mark the partial message. */
  abort(reason: string): Promise<void>;
}

/**
 * Lets a retried step continue the message a crashed attempt had started streaming, instead of
 * leaving a half message and posting a second one.
 */
export interface StreamOptions {
  /** Token from an earlier attempt's `onStarted`: continue (edit) that message. */
  resume?: string;
  /** Called once the stream's first platform message exists, with an opaque token to resume it. */
  onStarted?: (resumeToken: string) => Promise<void>;
}

export interface PollCandidateView {
  index: number;
  label: string;
  personaVotes: number;
  peopleVotes: number;
}

export interface PollView {
  sessionId: string;
  pollId: string;
  status: 'open' | 'closed';
  candidates: PollCandidateView[];
  /** Number of people who have cast a ballot. */
  peopleVoters: number;
  personaVoters: number;
  /** Fraction of voters a keyword needs, e.g. 0.6. */
  threshold: number;
  /** How many candidates one person may choose. */
  maxChoices: number;
}

export interface ChatAdapter {
  readonly platform: Platform;

  /** Posts text (and files) as a speaker. Must set "mention nobody" on every platform write. */
  post(request: PostRequest): Promise<PostResult>;

  /** Starts a streamed post. Adapters without it get `post` with the final text. */
  startStream?(request: Omit<PostRequest, 'text' | 'files'>, options?: StreamOptions): Promise<StreamHandle>;

  /** Shows that a speaker is composing (Discord typing indicator; terminal: nothing). */
  typing?(sessionId: string): Promise<void>;

  /**
   * Shows the poll: the first call posts it with one control per candidate, later calls update the
   * same message in place (counts, closed state). Returns the platform message id.
   * Adapters without it get a plain numbered list through `post`.
   */
  showPoll?(poll: PollView, existingMessageId: string | undefined): Promise<string>;

  /** Archives / locks the thread after the session ended, where the platform allows. */
  archive?(sessionId: string): Promise<void>;

  /** Downloads an inbound image reference (platform URL with auth, local path, …) as bytes. */
  fetchImage?(reference: ImageReference, maxBytes: number): Promise<Buffer>;
}
