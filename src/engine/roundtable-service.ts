/**
 * What adapters and commands may ask of the roundtable core. Implemented by `Roundtable`
 * (roundtable.ts). Everything here is safe to call from gateway processes: model work is only
 * ever enqueued, never run inline.
 */
import type { SessionAddress } from '../session/session-id.ts';
import type { CommunityAdmin } from '../community/community-admin.ts';
import type { ImageReference, Person, SessionAction, StartRequest } from '../adapter/inbound-event.ts';
import type { PollView } from '../adapter/chat-adapter.ts';
import type { PromptStats } from '../session/session-types.ts';

export type Stage = 'opening' | 'discussion' | 'paused' | 'keywords' | 'voting' | 'switch' | 'imagine' | 'closing' | 'ended';

export interface SessionStatus {
  sessionId: string;
  topic: string;
  panelId: string;
  panelName: string;
  stage: Stage;
  round: number;
  autoRounds: number;
  ended: boolean;
  starter: Person;
  personas: { id: string; displayName: string; role: string; switchedRole?: string }[];
  tokens: { prompt: number; completion: number; calls: number };
  /** Concept images generated, and how many the session may generate. */
  images: { generated: number; limit: number };
  /** Steps waiting in the session's own agenda, and actions waiting in its inbox. */
  pendingSteps: number;
  pendingActions: number;
  /** Position of the session's next step in the shared queue (0 = running or next). */
  queuePosition: number | undefined;
  poll: PollView | undefined;
  /** The id the next poll gets: a button naming it is on a poll being opened (poll-opening.ts). */
  openingPollId: string;
  votedKeywords: string[];
  /** The last persona prompt's estimated size against its model's window (meta.promptStats). */
  prompt?: PromptStats;
  /** Who speaks next, from the plan (display names, in order; empty or absent when nothing is planned). */
  nextSpeakers?: string[];
  /** `/pause`: no automatic turns until `/resume`. */
  paused?: boolean;
  /** Personas quieted by `/mute` (ids and display names). */
  muted?: { id: string; displayName: string }[];
  /** The most rounds `/resume` may ask for (MAX_ROUNDS). */
  maxRounds?: number;
  /** The language the session speaks (a code: `zh`, `en` …), and whether `/lang` chose it (else the conversation decides). */
  language?: string;
  languageChosen?: boolean;
  createdAt: number;
  updatedAt: number;
}

export type StopOutcome = 'stopping' | 'idle' | 'closing';

export interface SubmitResult {
  /** `applied`: done at once (ballots); `queued`: runs at the next step boundary; `full`: a ballot already holds its maximum. */
  outcome: 'applied' | 'queued' | 'duplicate' | 'full';
  /** A short, true line for the person (e.g. "Your ballot: 1, 3"). */
  notice?: string;
  /** After a ballot: the poll as it stands now (a click's own interaction may show it). */
  poll?: PollView;
}

export interface RoundtableService {
  /** `language`: what the new session speaks (decided from the topic, or the request's). */
  start(request: StartRequest): Promise<{ sessionId: string; language?: string }>;
  /** Queues (or, for ballots on an open poll, applies) an action. Throws TableRoundError. */
  submit(sessionId: string, person: Person, action: SessionAction, eventId?: string): Promise<SubmitResult>;
  status(sessionId: string): Promise<SessionStatus | undefined>;
  /**
   * `/stop`: stops what the panel is doing now, in whichever worker runs it (pipeline/
   * stop-signals.ts); what is planned is dropped at the next step. `idle`: nothing to stop;
   * `closing`: the closing summary is under way and is not stopped. Throws TableRoundError.
   * (`Roundtable` implements it; optional only for test doubles of this interface.)
   */
  stop?(sessionId: string, person: Person): Promise<StopOutcome>;
  /**
   * Ends a session on the bot's own behalf, as `/end` does (closing summary, transcript, the
   * record committed), without the checks a person's request passes (rate limit, token budget):
   * for a platform that took the bot away (a Slack workspace that removed the app). `eventId`
   * dedupes like any inbox event. False when the session is gone or ended, or the id was taken.
   * (`Roundtable` implements it; optional only for test doubles of this interface.)
   */
  endSession?(sessionId: string, by: Person, eventId: string): Promise<boolean>;
  /** True when the person started the session or is a manager. */
  mayManage(sessionId: string, person: Person): Promise<boolean>;
  /** The person's most recently active live session in a channel, for commands typed outside a thread. */
  recentSessionFor(platform: string, channel: string, personId: string): Promise<string | undefined>;
  panels(): { id: string; name: string; description: string }[];
  /**
   * Why this person may not start a session here (the channel's settings: switched off, or
   * starters only), or undefined; asked before an adapter opens a thread for a start. Optional
   * only for test doubles.
   */
  startRefusal?(address: SessionAddress, person: Person): Promise<string | undefined>;
  /** False where the channel's managers switched the bot off (`/config set enabled off`): a mention there is not answered in the channel. Optional only for test doubles. */
  answersIn?(address: SessionAddress): Promise<boolean>;
  /** `/panel` and `/config`: the community's panels and the channel's settings (optional only for test doubles). */
  readonly community?: CommunityAdmin;
  /**
   * Toggles one candidate in the person's ballot on the named poll (a vote button). Refused when
   * that poll is no longer the open one; `full` when the ballot already holds its maximum.
   */
  toggleBallot(sessionId: string, person: Person, pollId: string, index: number): Promise<SubmitResult>;
  /** The poll's message now shows `view` (updated by a click's own interaction): no refresh needed for it. */
  pollShown(sessionId: string, view: PollView): void;
}

export type { ImageReference };
