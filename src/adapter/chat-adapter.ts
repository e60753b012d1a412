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
import type { CommandStyle } from '../command-core/command-syntax.ts';

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

/**
 * A chart as data, for platforms that draw charts themselves (`ChatAdapter.charts`: Slack's
 * `data_visualization` block). Grouped bars: one group per category, one bar per series, in the
 * order given; `series[s].values[i]` belongs to `categories[i]` (a missing value counts as 0).
 * No platform limit is applied here: the adapter fits the chart to its own (Slack: shortened
 * labels, the largest 20 categories, 6 series) or refuses it.
 */
export interface ChartData {
  title: string;
  categories: string[];
  series: { name: string; values: number[] }[];
  /** Axis titles: under the categories, beside the values. */
  axisLabels?: { category?: string; value?: string };
}

/** What `NativeCharts.send` did: the message's ref, and whether the platform shows the chart in it. */
export interface ChartPostResult {
  ref: string;
  shown: boolean;
}

/**
 * Charts the platform draws inside a message. The core sends the chart's picture instead where
 * an adapter has none, and after a refusal (src/outbound/deliver-post.ts).
 */
export interface NativeCharts {
  /**
   * Sends `request` as `send` would, as one message with `chart` drawn in it. When the platform
   * refuses the chart, the same message goes without it (`shown: false`) and the adapter
   * remembers that this place takes no charts, so later calls send without trying. A refused call
   * posted nothing, so the message is never posted twice; with or without the chart it carries
   * the same text, so `findPost` finds it either way.
   */
  send(request: SendRequest, chart: ChartData): Promise<ChartPostResult>;
  /**
   * Whether message `ref` (sent by `send`) shows its chart, for a re-run that lost the outcome;
   * undefined when the message cannot be found.
   */
  shown(sessionId: string, ref: string): Promise<boolean | undefined>;
}

/** One platform message, already rendered by the adapter's `render` (platform markup, within the limit). */
export interface SendRequest {
  sessionId: string;
  speaker: Speaker;
  /** Rendered text; may be empty when the message carries only files. */
  text: string;
  /** Files attached to this message (adapters with `filesSeparately` get none here). */
  files?: OutboundFile[];
  /**
   * Aborts when the step sending it no longer owns the step (step-outbox.ts `superseded`): an
   * adapter still waiting for a platform budget gives up without sending.
   */
  signal?: AbortSignal;
}

export interface EditRequest {
  sessionId: string;
  speaker: Speaker;
  /** What `send` or `native.start` returned. */
  ref: string;
  /** Rendered text. */
  text: string;
  /**
   * `wait`: the write must happen (waits for the budget); `skip`: only if the budget has room
   * now; `held`: a stream's final write, paid by the slot its `mayStream` held (waits like
   * `wait` when there is none).
   */
  budget: 'wait' | 'skip' | 'held';
}

/** How the outbox recognises a message an interrupted attempt may have sent (see step-outbox.ts). */
export interface PostLookup {
  speaker: Speaker;
  /** The text it was sent with, before `render` (the adapter renders it to compare). */
  text?: string;
  /** Names of the files it carried. */
  fileNames?: string[];
  /** It is the adapter's poll message (look for one with vote controls). */
  poll?: boolean;
  /** It was a streamed message's first post (`native`: a platform stream). */
  stream?: 'native' | 'edit';
  /** Only messages created at or after this time (ms, already widened for clock skew). */
  since: number;
  /** Refs this step already accounts for. */
  exclude: readonly string[];
}

/**
 * A platform's own streaming message (Slack `chat.startStream` … `stopStream`; a terminal
 * printing tokens). The adapter keeps, in process, what it has sent on each stream.
 */
export interface NativeStreaming {
  /** Starts a stream showing `text` (plain text with light Markdown). Returns its ref. */
  start(request: { sessionId: string; speaker: Speaker; text: string; signal?: AbortSignal }): Promise<string>;
  /** Grows the stream to show `textSoFar` if the budget has room now; false when skipped. */
  append(sessionId: string, ref: string, textSoFar: string): Promise<boolean>;
  /**
   * Stops the stream. With `finalText` that continues what was sent, it ends showing it and
   * returns `stopped`; otherwise (or after a restart, when nothing is known of it) it is stopped
   * as it stands and returns `needs-edit` when `finalText` still has to be written by `edit`.
   * Stopping a stream that was already stopped is not an error.
   */
  stop(sessionId: string, ref: string, finalText?: string): Promise<'stopped' | 'needs-edit'>;
}

/** How an adapter's messages stream (the outbound kernel does the rest: src/outbound/). */
export interface StreamingSupport {
  /** Minimum ms between two writes of the same streamed message. */
  editIntervalMs: number;
  /** A reply is posted only once it has been growing this long (a fast reply is one post). */
  firstPostDelayMs: number;
  /** Present when the platform streams natively; otherwise streams post, then `edit`. */
  native?: NativeStreaming;
  /**
   * Asked before a reply starts streaming (`native`: by `native.start`; `edit`: a post, then
   * edits): false when the platform budget cannot pay for the stream now. Saying yes, the
   * adapter holds the slots the stream will need to end (Slack: Tier 2 `chat.startStream` and
   * `chat.stopStream`; a final `chat.update`; Discord: the final edit in the channel's window),
   * spent by `native.start` / `native.stop` / `edit({ budget: 'held' })`. Said no, the reply is
   * posted once, finished — never left half-written waiting for a slot, never a 429.
   */
  mayStream?(sessionId: string, mode: 'native' | 'edit'): Promise<boolean>;
}

export interface PollCandidateView {
  index: number;
  label: string;
  personaVotes: number;
  peopleVotes: number;
  /** A closed poll's result: the keyword was chosen (absent while the poll is open). */
  passed?: boolean;
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

/**
 * The outbound contract. Adapters supply platform calls only; splitting, streaming, pacing of
 * intermediate edits and exactly-once delivery live once, in src/outbound/ and src/pipeline/.
 */
export interface ChatAdapter {
  readonly platform: Platform;

  /** How people type commands inside a session here (help texts and hints are rendered in it); default `/name words`. */
  readonly commandStyle?: CommandStyle;

  /** Who counts as a manager here, for refusals ("someone with Manage Threads", "a workspace admin"). */
  readonly managerTerm?: string;

  /** Longest text (in characters of the core's light Markdown) one message carries. */
  readonly messageLimit: number;

  /** Converts one message's worth of light Markdown into the platform's markup (escaping, neutralising mentions). Pure. */
  render(text: string): string;

  /** Sends one message as the speaker and returns its ref. Waits for the platform budget. Mentions nobody. */
  send(request: SendRequest): Promise<string>;

  /** Edits a message this adapter sent. Returns false when `budget: 'skip'` found no room. Mentions nobody. */
  edit?(request: EditRequest): Promise<boolean>;

  /** Files go out as their own message (Slack's file shares), sent by `sendFiles`, not with text. */
  sendFiles?(request: { sessionId: string; speaker: Speaker; files: OutboundFile[] }): Promise<string>;

  /** Present when messages can be streamed (needs `edit` or `native`). */
  readonly streaming?: StreamingSupport;

  /** Present when the platform draws charts in messages (Slack); elsewhere a post's chart goes as its picture. */
  readonly charts?: NativeCharts;

  /** Looks a message up on the platform (for the outbox's recovery). */
  findPost?(sessionId: string, lookup: PostLookup): Promise<string | undefined>;

  /**
   * Shows that a speaker is composing (Discord's typing indicator, Slack's thread status, a line
   * in the terminal), in the session's `language` where the adapter words it.
   */
  typing?(sessionId: string, speaker: Speaker, language?: string): Promise<void>;

  /**
   * Shows the poll: without a ref it posts it with one control per candidate and returns the
   * ref; with one it updates that message in place (counts, closed state).
   * Adapters without it get a plain numbered list.
   */
  /**
   * `latest`, when given, is read after the platform's rate budget let the write through (a wait
   * of seconds in a busy channel): the message then shows the poll as it is at the write, never an
   * older state over a newer one that a click's own update showed meanwhile.
   */
  showPoll?(poll: PollView, existingRef: string | undefined, latest?: () => Promise<PollView | undefined>): Promise<string>;

  /** Archives / locks the thread after the session ended, where the platform allows. Idempotent. */
  archive?(sessionId: string): Promise<void>;

  /**
   * Downloads an inbound image reference (a platform URL, with its auth) as bytes, through the one
   * safe download (src/outbound/safe-download.ts): only the platform's hosts, the cap enforced while
   * streaming, the bytes sniffed as an image.
   */
  fetchImage?(reference: ImageReference, maxBytes: number, signal?: AbortSignal): Promise<Buffer>;

  /** The same download for a file of any kind (a character card's JSON or PNG): no image sniff. */
  fetchFile?(reference: ImageReference, maxBytes: number, signal?: AbortSignal): Promise<Buffer>;
}
