/**
 * The shapes a session keeps in Redis. All plain JSON.
 */
import type { ImageReference, Person } from '../adapter/inbound-event.ts';
import type { Stage } from '../engine/roundtable-service.ts';

export type TranscriptKind = 'moderator' | 'persona' | 'person';

export interface TranscriptEntry {
  kind: TranscriptKind;
  /** Persona id, person id, or 'moderator'. */
  speakerId: string;
  speakerName: string;
  text: string;
  at: number;
  stage: Stage;
  round: number;
  /** For persona entries after a role switch: the role they spoke from. */
  role?: string;
  /** Image content hashes this entry refers to. */
  images?: string[];
}

/** One unit of work for the step machine: at most one model call (plus its posts). */
export type Step =
  | { kind: 'opening' }
  | { kind: 'introduction'; personaId: string }
  | { kind: 'image-describe'; image: ImageReference; from: Person }
  | { kind: 'image-story'; personaId: string; imageHash: string }
  | { kind: 'turn'; personaId: string; round: number; reason: 'round' | 'reply' | 'reflection' }
  | { kind: 'pause' }
  | { kind: 'keywords'; personaId: string }
  | { kind: 'poll-open' }
  | { kind: 'persona-ballot'; personaId: string }
  | { kind: 'person-ballot'; person: Person; choices: number[] }
  | { kind: 'poll-close'; by?: Person }
  | { kind: 'switch-roles' }
  | { kind: 'imagine'; prompt: string; from: Person }
  | { kind: 'notice'; text: string }
  | { kind: 'closing'; by: Person };

export interface SessionMeta {
  sessionId: string;
  topic: string;
  panelId: string;
  stage: Stage;
  round: number;
  autoRounds: number;
  status: 'active' | 'ended';
  starter: Person;
  createdAt: number;
  updatedAt: number;
  /** Step sequence number: the id of the next step job. Advanced only by a committed step. */
  seq: number;
  /**
   * Kick epoch: part of the step job's id, so that a job that failed or stalled out under the
   * current id never blocks the next kick. Raised only by `reviveStep` (pipeline/step-liveness.ts).
   */
  epoch: number;
  /** How many times the current step's job was revived after dying; reset by every commit. */
  revivals: number;
  agenda: Step[];
  /** personaId → the role id it currently speaks from (after /switch). */
  roleMap: Record<string, string>;
  rollingSummary: string;
  /** Transcript entries before this index are folded into `rollingSummary`. */
  summarisedThrough: number;
  /** Rotation cursor for replies to people while the panel is paused. */
  replyCursor: number;
  votedKeywords: string[];
  pollCount: number;
  tokensPrompt: number;
  tokensCompletion: number;
  modelCalls: number;
}

export interface KeywordCandidate {
  label: string;
  /** Normalised form used for de-duplication. */
  key: string;
  /** Personas that proposed it. */
  sources: string[];
}

export interface PollState {
  pollId: string;
  status: 'open' | 'closed';
  candidates: string[];
  messageId?: string;
  openedAt: number;
  closedAt?: number;
  winners?: string[];
}

export interface Ballot {
  voterKind: 'person' | 'persona';
  voterName: string;
  /** 0-based candidate indexes. */
  choices: number[];
  reason?: string;
}

export interface ImageRecord {
  hash: string;
  description: string;
  filename: string;
  width: number;
  height: number;
  from: string;
  at: number;
}
