/**
 * The decoded transcript windows of the sessions this process ran steps of lately, so that a
 * step's snapshot reads only the entries appended since (session-scripts.ts `snapshotScript`).
 * A transcript is append-only (session-store.ts `commit` only pushes to it; nothing trims or
 * rewrites it), so an entry at an index never changes while its session lives; a session made
 * again under the same id (after the old one expired) has another `createdAt`, which the script
 * compares before it trusts the cache. Entries are frozen: a step that changed one in place
 * would change what later steps see.
 *
 * Why: the window (up to CONTEXT_RECENT_TURNS + foldSlack entries, mostly persona answers) was
 * read, sent, decoded from UTF-8 and parsed whole at every step — most of a snapshot's bytes
 * (bench: turn-overhead).
 */
import { BoundedMap } from '../bounded-map.ts';
import type { TranscriptEntry } from '../session/session-types.ts';

export interface CachedWindow {
  /** The session's `createdAt` as stored in its meta hash. */
  createdAt: string;
  /** The transcript index of `entries[0]`. */
  from: number;
  entries: readonly TranscriptEntry[];
}

/** Most recently used sessions kept (a window is ~30 entries: about 25 KB each at the default cap). */
const windowCacheSessions = 256;

/** The windows of the sessions run last (`BoundedMap`: least recently used out). */
export class WindowCache extends BoundedMap<string, CachedWindow> {
  constructor(capacity = windowCacheSessions) {
    super(capacity);
  }
}
