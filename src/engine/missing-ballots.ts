/**
 * Panelists who gave no usable ballot: recorded one by one, announced together in ONE notice
 * per poll ("⚠️ Not counted: Ada and Bo gave no usable ballot.", in the session's language)
 * instead of a "Skipped" line each.
 *
 * Records (session notes, committed with the step that learns the fact):
 * - `ballot-missing:<pollId>:<personaId>` — the persona's ballot step got nothing usable, even
 *   after the gateway's corrective retry (value: the problem, for the record);
 * - `ballot-missing-notice:<pollId>` — the notice was posted (value: `posted`).
 *
 * When the notice is posted: by the persona-ballot step after which every panelist of the poll
 * has either a ballot (`persona:<id>` in the poll's ballots) or a missing record — normally the
 * last persona's — or else by the poll close (a ballot step that failed for another reason, or a
 * vote closed before all panel ballots ran). It goes through the running step's outbox under the
 * key `ballot-missing:<pollId>`, so a re-run of that step never posts it twice, and the
 * `ballot-missing-notice` note commits with that step, so a later step never posts it again.
 */
import type { Panel, Persona } from '../panels/panel-schema.ts';
import type { Ballot, PollState, TranscriptEntry } from '../session/session-types.ts';
import { joinWithAnd, t } from '../i18n/translate.ts';
import { entry, moderator, postOnce, type StepContext } from './step-context.ts';

export const missingBallotField = (pollId: string, personaId: string) => `ballot-missing:${pollId}:${personaId}`;
export const missingNoticeField = (pollId: string) => `ballot-missing-notice:${pollId}`;

/** The notice: "⚠️ Not counted: Ada, Bo and Cy gave no usable ballot." / "⚠️ 未计入：Ada、Bo 和 Cy 没有投出有效的选票。" */
export function notCountedText(names: readonly string[], language: string | undefined): string {
  return t(language, 'vote.notCounted', { names: joinWithAnd(language, names) });
}

/** Panelists recorded as giving no usable ballot in this poll, in panel order. */
export function missingVoters(panel: Panel, pollId: string, notes: Record<string, string>): Persona[] {
  return panel.personas.filter((persona) => notes[missingBallotField(pollId, persona.id)] !== undefined);
}

/** Every panelist has a ballot in this poll or is recorded as missing one. */
export function panelAccountedFor(panel: Panel, pollId: string, ballots: Record<string, Ballot>, notes: Record<string, string>): boolean {
  return panel.personas.every((persona) => ballots[`persona:${persona.id}`] !== undefined || notes[missingBallotField(pollId, persona.id)] !== undefined);
}

/**
 * Posts the one notice for `poll` if any panelist is missing and it was not posted yet; `notes`
 * must include what the running step is about to commit. Returns what to commit with the step.
 */
export async function announceMissingBallots(context: StepContext, poll: PollState, notes: Record<string, string>): Promise<{ notes: Record<string, string>; transcript: TranscriptEntry[] }> {
  const missing = missingVoters(context.panel, poll.pollId, notes);
  if (missing.length === 0 || notes[missingNoticeField(poll.pollId)] !== undefined) return { notes: {}, transcript: [] };
  const text = notCountedText(missing.map((persona) => persona.displayName), context.meta.language);
  await postOnce(context, `ballot-missing:${poll.pollId}`, moderator, text);
  return {
    notes: { [missingNoticeField(poll.pollId)]: 'posted' },
    transcript: [entry(context, { kind: 'moderator', speakerId: 'moderator', speakerName: 'Moderator', text })],
  };
}
