/**
 * The language a session speaks, for the adapter's own words on persona posts (the "Ask" button's
 * label): read from the session's status and kept in process for `ttlMs`, so a post costs no Redis
 * reads most of the time. A `/lang` change shows on buttons within `ttlMs`. Never throws: an
 * unreadable status means English.
 */
import type { RoundtableService } from '../../src/engine/roundtable-service.ts';

const defaultTtlMs = 60_000;
const bounded = 5_000;

export class SessionLanguages {
  private readonly known = new Map<string, { language: string | undefined; until: number }>();

  constructor(
    private readonly roundtable: Pick<RoundtableService, 'status'>,
    private readonly ttlMs = defaultTtlMs,
  ) {}

  async of(sessionId: string): Promise<string | undefined> {
    const now = Date.now();
    const cached = this.known.get(sessionId);
    if (cached && cached.until > now) return cached.language;
    const language = (await this.roundtable.status(sessionId).catch(() => undefined))?.language;
    if (this.known.size > bounded) this.known.clear();
    this.known.set(sessionId, { language, until: now + this.ttlMs });
    return language;
  }
}
