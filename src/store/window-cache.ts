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

export class WindowCache {
  private readonly windows = new Map<string, CachedWindow>();

  constructor(private readonly capacity = windowCacheSessions) {}

  get size(): number {
    return this.windows.size;
  }

  get(sessionId: string): CachedWindow | undefined {
    return this.windows.get(sessionId);
  }

  set(sessionId: string, window: CachedWindow): void {
    // Re-inserted, so that the Map's order is least recently used first.
    this.windows.delete(sessionId);
    this.windows.set(sessionId, window);
    if (this.windows.size > this.capacity) this.windows.delete(this.windows.keys().next().value!);
  }

  delete(sessionId: string): void {
    this.windows.delete(sessionId);
  }
}
