/**
 * Poll ids, and the poll being opened. The step that opens a poll posts its message before it
 * commits the poll, so a quick click can arrive in between: the message is there, the poll is
 * not in the store yet. Such a click names the session's next poll id (`p{pollCount + 1}`); it is
 * held until the commit lands rather than being told "this vote is no longer current".
 */
import type { PollState, SessionMeta } from '../session/session-types.ts';
import type { SessionStore } from '../store/session-store.ts';

/** How long a click on a poll being opened waits for its step to commit. */
export const pollOpeningWaitMs = 5_000;
const recheckEveryMs = 100;

/** The id of a session's `number`-th poll. */
export function pollIdOf(number: number): string {
  return `p${number}`;
}

/** The id the session's next poll gets: a click naming it is on a poll being opened. */
export function openingPollId(meta: Pick<SessionMeta, 'pollCount'>): string {
  return pollIdOf(meta.pollCount + 1);
}

/**
 * The poll a click names when it is the open one; for the poll being opened, waits (up to
 * `waitMs`) for its step to commit it. Undefined when it is neither (closed or closing, or an older poll).
 */
export async function openPollNamed(
  store: Pick<SessionStore, 'poll'>,
  meta: Pick<SessionMeta, 'sessionId' | 'pollCount'>,
  pollId: string,
  waitMs = pollOpeningWaitMs,
): Promise<PollState | undefined> {
  const deadline = Date.now() + waitMs;
  const opening = pollId === openingPollId(meta);
  for (;;) {
    const poll = await store.poll(meta.sessionId);
    if (poll?.pollId === pollId) return poll.status === 'open' && !poll.closing ? poll : undefined;
    if (!opening || Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, recheckEveryMs));
  }
}
